"""Health, schema and docs."""

from unittest import mock

import pytest
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_health_ok_without_credentials(client_for):
    response = client_for().get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client_for):
    with mock.patch("annotations.api.health.connection.cursor", side_effect=OperationalError("down")):
        response = client_for().get("/api/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


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
