from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from annotations.interchange.registry import FORMATS

from .annotations import AnnotationViewSet
from .articles import ArticleViewSet
from .changes import ChangeFeedView
from .exports import QualityExportView, export_view
from .health import health
from .imports import AnnotationImportDetailView, AnnotationImportView
from .webhooks import WebhookViewSet

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("annotations", AnnotationViewSet, basename="annotation")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("health/", health, name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    *(path(f"exports/{export.filename}", export_view(name), name=f"export-{name}") for name, export in FORMATS.items()),
    path("exports/quality.csv", QualityExportView.as_view(), name="export-quality"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("imports/annotations/", AnnotationImportView.as_view(), name="import-annotations"),
    path("imports/<int:pk>/", AnnotationImportDetailView.as_view(), name="import-detail"),
    path("", include(router.urls)),
]
