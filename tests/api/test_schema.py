"""The OpenAPI schema and its docs page."""

import pytest


@pytest.mark.django_db
def test_schema_describes_every_endpoint(client_for):
    response = client_for().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/articles/",
        "/api/articles/{id}/",
        "/api/annotations/",
        "/api/annotations/{id}/",
        "/api/annotations/{id}/approve/",
        "/api/annotations/{id}/reject/",
        "/api/annotations/{id}/reopen/",
        "/api/annotations/{id}/history/",
        "/api/health/",
    ]:
        assert path in paths, path
    assert "put" not in paths["/api/annotations/{id}/"]
    assert {"400", "403", "404", "409"} <= set(paths["/api/annotations/{id}/approve/"]["post"]["responses"])


@pytest.mark.django_db
def test_docs_page_uses_local_assets_only(client_for):
    response = client_for().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
