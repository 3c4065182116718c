from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("annotations.api.urls")),
]

# Errors answered outside the API's views are JSON under /api/ too.
handler400 = "annotations.api.errors.bad_request"
handler404 = "annotations.api.errors.not_found"
handler500 = "annotations.api.errors.server_error"
