"""/api/articles/: list (without bodies), read, create."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from annotations.domain.roles import Role
from annotations.filters import ArticleFilter
from annotations.inputs import ArticleCreateSerializer
from annotations.selectors.articles import article_queryset
from annotations.services.articles import article_create

from .permissions import RolePermission
from .schema import ERRORS, NOT_FOUND
from .serializers.articles import ArticleConflictSerializer, ArticleListSerializer, ArticleSerializer


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
    required_roles = {"create": Role.ANNOTATOR}
    filterset_class = ArticleFilter

    def get_queryset(self):
        return article_queryset(with_body=self.action != "list")

    def get_serializer_class(self):
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    def create(self, request):
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_create(**serializer.validated_data)
        article = article_queryset(with_body=True).get(pk=article.pk)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)
