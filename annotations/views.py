"""Thin API views: parse input, call one service or selector, serialize output.

Domain errors raised by services become 400/403/409 in errors.exception_handler.
"""

from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import exporters, selectors, services
from .filters import AnnotationFilter, AnnotationPageFilter, ArticleFilter
from .permissions import RolePermission
from .roles import Role
from .serializers import (
    AnnotationEventSerializer,
    AnnotationSerializer,
    AnnotationUpdateSerializer,
    AnnotationWriteSerializer,
    ArticleConflictSerializer,
    ArticleCreateSerializer,
    ArticleListSerializer,
    ArticleSerializer,
    RejectSerializer,
    ReviewSerializer,
)

_detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: {field: [messages]}."),
    401: OpenApiResponse(_detail, description="No or bad credentials."),
    403: OpenApiResponse(_detail, description="Not allowed for this user."),
}
_NOT_FOUND = {404: OpenApiResponse(_detail, description="No such object (or not visible to this user).")}
_CONFLICT = {409: OpenApiResponse(_detail, description="The annotation's state does not allow this.")}


@extend_schema_view(
    list=extend_schema(
        summary="List articles (without their bodies)", responses={200: ArticleListSerializer(many=True), **_ERRORS}
    ),
    retrieve=extend_schema(
        summary="One article with its body", responses={200: ArticleSerializer, **_ERRORS, **_NOT_FOUND}
    ),
    create=extend_schema(
        summary="Create an article",
        request=ArticleCreateSerializer,
        responses={
            201: ArticleSerializer,
            **_ERRORS,
            409: OpenApiResponse(ArticleConflictSerializer, description="This body is already stored."),
        },
    ),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {"create": Role.ANNOTATOR}
    filterset_class = ArticleFilter

    def get_queryset(self):
        return selectors.article_queryset(with_body=self.action != "list")

    def get_serializer_class(self):
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    def create(self, request):
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = services.article_create(**serializer.validated_data)
        article = selectors.article_queryset(with_body=True).get(pk=article.pk)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List annotations (consumers see approved ones only)",
        responses={200: AnnotationSerializer(many=True), **_ERRORS},
    ),
    retrieve=extend_schema(summary="One annotation", responses={200: AnnotationSerializer, **_ERRORS, **_NOT_FOUND}),
    create=extend_schema(
        summary="Create an annotation (pending)",
        request=AnnotationWriteSerializer,
        responses={201: AnnotationSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit your annotation; it goes back to pending",
        request=AnnotationUpdateSerializer,
        responses={200: AnnotationSerializer, **_ERRORS, **_NOT_FOUND, **_CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete your annotation while not approved (admins: always)",
        responses={204: None, **_ERRORS, **_NOT_FOUND, **_CONFLICT},
    ),
)
class AnnotationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # PUT is not offered: PATCH is the one way to edit (405 for PUT).
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {
        "create": Role.ANNOTATOR,
        "partial_update": Role.ANNOTATOR,
        "destroy": Role.ANNOTATOR,
        "approve": Role.REVIEWER,
        "reject": Role.REVIEWER,
        "reopen": Role.REVIEWER,
    }
    serializer_class = AnnotationSerializer
    filterset_class = AnnotationPageFilter

    def get_queryset(self):
        return selectors.annotations_visible_to(self.request.user)

    def create(self, request):
        serializer = AnnotationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = services.annotation_create(actor=request.user, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        annotation = self.get_object()
        serializer = AnnotationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        annotation = services.annotation_update(
            actor=request.user, annotation_id=annotation.pk, **serializer.validated_data
        )
        return Response(AnnotationSerializer(annotation).data)

    def destroy(self, request, pk=None):
        services.annotation_delete(actor=request.user, annotation_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _review(self, request, service, serializer_class):
        annotation = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = service(actor=request.user, annotation_id=annotation.pk, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data)

    @extend_schema(
        summary="Approve a pending annotation of someone else's",
        request=ReviewSerializer,
        responses={200: AnnotationSerializer, **_ERRORS, **_NOT_FOUND, **_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, services.annotation_approve, ReviewSerializer)

    @extend_schema(
        summary="Reject a pending annotation of someone else's (comment required)",
        request=RejectSerializer,
        responses={200: AnnotationSerializer, **_ERRORS, **_NOT_FOUND, **_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, services.annotation_reject, RejectSerializer)

    @extend_schema(
        summary="Send an approved or rejected annotation back to pending",
        request=ReviewSerializer,
        responses={200: AnnotationSerializer, **_ERRORS, **_NOT_FOUND, **_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._review(request, services.annotation_reopen, ReviewSerializer)

    @extend_schema(
        summary="Every change to the annotation, oldest first",
        responses={200: AnnotationEventSerializer(many=True), **_ERRORS, **_NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        events = selectors.annotation_history(annotation=self.get_object())
        return Response(AnnotationEventSerializer(events, many=True).data)


class _ErrorsAsJson(BaseContentNegotiation):
    """Exports have one representation each, so a client's Accept header is not
    negotiated (no 406); error responses are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _export_filter_parameters() -> list[OpenApiParameter]:
    """The list's filters, `status` aside, for the exports' schema."""
    return [
        OpenApiParameter(name, str, description=str(f.extra.get("help_text", "")))
        for name, f in AnnotationFilter.base_filters.items()
        if name != "status"
    ]


class AnnotationExportView(APIView):
    """A streamed file of approved annotations; the list's filters apply (`status` aside)."""

    permission_classes = [IsAuthenticated, RolePermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _ErrorsAsJson
    action = "export"  # RolePermission: consumers and up
    export_format = ""  # "jsonl", "csv" or "jsonld", set in urls.py

    def get(self, request):
        annotations = selectors.annotations_for_export(params=request.query_params)
        export = exporters.FORMATS[self.export_format]
        iris = exporters.Iris(
            collection=request.build_absolute_uri(),
            annotations=request.build_absolute_uri(reverse("annotation-list")),
            articles=request.build_absolute_uri(reverse("article-list")),
        )
        response = StreamingHttpResponse(export.write(annotations, iris=iris), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["X-Accel-Buffering"] = "no"  # let a proxy pass the stream on as it comes
        return response


def export_view(export_format: str):
    """The view of one export format, with its own OpenAPI description."""
    export = exporters.FORMATS[export_format]
    view = type(
        f"Annotation{export_format.upper()}ExportView", (AnnotationExportView,), {"export_format": export_format}
    )
    schema = extend_schema(
        operation_id=f"exports_annotations_{export_format}",
        summary=f"Export approved annotations as {export_format.upper()} (streamed, not paginated)",
        parameters=_export_filter_parameters(),
        responses={(200, export.content_type.split(";")[0]): OpenApiResponse(OpenApiTypes.STR), **_ERRORS},
    )
    return extend_schema_view(get=schema)(view).as_view()


@extend_schema(
    summary="Service health: the database answers",
    responses={
        200: inline_serializer("Health", {"status": serializers.CharField()}),
        503: inline_serializer("HealthDown", {"status": serializers.CharField(), "detail": serializers.CharField()}),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "down"
        return Response(
            {"status": "unavailable", "detail": f"database: {exc.__class__.__name__}"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"status": "ok"})
