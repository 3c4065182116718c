from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for by themselves: the desk's icon (a static file, whose
    name carries its hash in production, so it is looked up per request, not at import)."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("annotations/favicon.svg")


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("api/", include("annotations.api.urls")),
]

# Errors answered outside the API's views are JSON under /api/ too.
handler400 = "annotations.api.errors.bad_request"
handler404 = "annotations.api.errors.not_found"
handler500 = "annotations.api.errors.server_error"
