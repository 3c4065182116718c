"""Pages: next/previous from the rows themselves, count exact up to a limit."""

import pytest
from django.db import connection

from annotations.api.pagination import PageNumberPagination
from tests.factories import bulk_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, consumer):
    return client_for(consumer)


@pytest.fixture
def approved_claims(annotator, reviewer):
    """120 approved one-character claims (bulk-inserted: the pages are what is tested)."""
    bulk_claims(120, created_by=annotator, reviewed_by=reviewer)


def test_pages_link_to_each_other(client, approved_claims):
    first = client.get("/api/annotations/?page_size=50").json()
    assert (first["count"], first["count_is_exact"], first["previous"]) == (120, True, None)
    second = client.get(first["next"]).json()
    assert second["previous"].endswith("/api/annotations/?page_size=50")
    third = client.get(second["next"]).json()
    assert (len(third["results"]), third["next"]) == (20, None)
    ids = [a["id"] for page in (first, second, third) for a in page["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 120


@pytest.mark.parametrize("page", ["4", "0", "-1", "last", "1.5", "206020155924494912"])
def test_pages_that_do_not_exist_are_404(client, approved_claims, page):
    response = client.get(f"/api/annotations/?page_size=50&page={page}")
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_empty_first_page_is_200(client):
    body = client.get("/api/annotations/").json()
    assert body == {"count": 0, "count_is_exact": True, "next": None, "previous": None, "results": []}


def test_count_beyond_the_limit_is_flagged_as_an_estimate(client, approved_claims, monkeypatch):
    """Past the limit PostgreSQL's estimate stands in; paging still reaches every row."""
    monkeypatch.setattr(PageNumberPagination, "exact_count_limit", 10)
    first = client.get("/api/annotations/?page_size=100").json()
    if connection.vendor == "postgresql":
        assert first["count_is_exact"] is False
        assert first["count"] >= 11
    else:
        assert (first["count"], first["count_is_exact"]) == (120, True)
    second = client.get(first["next"]).json()
    assert len(first["results"]) + len(second["results"]) == 120
    assert second["next"] is None


def test_count_at_the_limit_is_exact(client, approved_claims, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "exact_count_limit", 120)
    assert client.get("/api/annotations/?page_size=5").json()["count_is_exact"] is True
