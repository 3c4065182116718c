"""/api/articles/: list (without bodies), read, create; revisions: list, read, create (re-anchoring)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from annotations.domain.roles import Role
from annotations.filters import ArticleFilter
from annotations.inputs import ArticleCreateSerializer
from annotations.inputs import ArticleRevisionSerializer as RevisionInput
from annotations.selectors.articles import article_queryset, article_revisions
from annotations.services.articles import article_create
from annotations.services.revisions import article_revise

from .permissions import RolePermission
from .schema import ERRORS, NOT_FOUND
from .serializers.articles import (
    ArticleConflictSerializer,
    ArticleListSerializer,
    ArticleRevisionBodySerializer,
    ArticleRevisionSerializer,
    ArticleSerializer,
    RevisedArticleSerializer,
    RevisionConflictSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="List articles (without their bodies)", responses={200: ArticleListSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(
        summary="One article with its body", responses={200: ArticleSerializer, **ERRORS, **NOT_FOUND}
    ),
    create=extend_schema(
        summary="Create an article",
        request=ArticleCreateSerializer,
        responses={
            201: ArticleSerializer,
            **ERRORS,
            409: OpenApiResponse(ArticleConflictSerializer, description="This body is already stored."),
        },
    ),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {"create": Role.ANNOTATOR, "revisions": {"POST": Role.ANNOTATOR}}
    filterset_class = ArticleFilter

    def get_queryset(self):
        return article_queryset(with_body=self.action != "list")

    def get_serializer_class(self):
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    def create(self, request):
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_create(actor=request.user, **serializer.validated_data)
        article = article_queryset(with_body=True).get(pk=article.pk)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The article's revisions, oldest first (without their bodies)",
        responses={200: ArticleRevisionSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Revise the article: store a new body and re-anchor its annotations (annotators and up)",
        request=RevisionInput,
        responses={
            201: RevisedArticleSerializer,
            **ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(
                RevisionConflictSerializer,
                description="The body is the current revision's (`revision` given) or another article's (`id`).",
            ),
        },
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def revisions(self, request, pk=None):
        article = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(article_revisions(article))
            return self.get_paginated_response(ArticleRevisionSerializer(page, many=True).data)
        serializer = RevisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        revised = article_revise(actor=request.user, article_id=article.pk, **serializer.validated_data)
        article = article_queryset(with_body=True).get(pk=article.pk)
        article.reanchoring = revised.reanchoring
        return Response(RevisedArticleSerializer(article).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One revision of the article, with its body",
        responses={200: ArticleRevisionBodySerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path=r"revisions/(?P<number>[0-9]{1,9})", filterset_class=None)
    def revision(self, request, pk=None, number=None):
        revision = get_object_or_404(article_revisions(self.get_object(), with_body=True), number=int(number))
        return Response(ArticleRevisionBodySerializer(revision).data)
