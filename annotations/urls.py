from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("annotations", views.AnnotationViewSet, basename="annotation")

urlpatterns = [
    path("health/", views.health, name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("exports/annotations.jsonl", views.export_view("jsonl"), name="export-jsonl"),
    path("exports/annotations.csv", views.export_view("csv"), name="export-csv"),
    path("exports/annotations.jsonld", views.export_view("jsonld"), name="export-jsonld"),
    path("", include(router.urls)),
]
