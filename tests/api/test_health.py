"""/api/health/: whether the database answers, without credentials."""

from unittest import mock

import pytest
from django.db import connections
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_health_ok_without_credentials(client_for):
    response = client_for().get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client_for):
    # Every connection's cursor fails, in whichever thread the view asks the database.
    failing = mock.patch.object(type(connections["default"]), "cursor", side_effect=OperationalError("down"))
    with failing:
        response = client_for().get("/api/health/")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "detail": "database: OperationalError"},
    )
