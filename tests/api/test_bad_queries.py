"""Query parameters that once caused server errors under fuzzing are 400s."""

import pytest

from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, annotator):
    return client_for(annotator)


@pytest.mark.parametrize(
    "query",
    [
        "/api/articles/?language=en%00",
        "/api/articles/?source=Kyodo%00",
        "/api/articles/?q=Kyodo%00",
        "/api/annotations/?created_by=alice%00",
        "/api/annotations/?source=%00",
        "/api/annotations/?q=%00",
    ],
)
def test_null_characters_are_400(client, query):
    response = client.get(query)
    assert response.status_code == 400
    assert "Null characters" in str(response.json())


@pytest.mark.parametrize(
    "query",
    [
        "/api/articles/?published_after=0001-01-01T00:00:00%2B05:00",
        "/api/annotations/?created_after=2022-13-01",
    ],
)
def test_dates_postgres_cannot_hold_are_400(client, query):
    response = client.get(query)
    assert response.status_code == 400, response.content


def test_far_offsets_are_converted_to_utc(client):
    """+19:10 is a valid ISO 8601 offset even if PostgreSQL would refuse it as such."""
    assert client.get("/api/annotations/?reviewed_before=2022-11-19T00:17:56%2B19:10").status_code == 200
    assert client.get("/api/annotations/?reviewed_before=0476-11-19T00:17:56%2B19:10").status_code == 200


def test_author_and_reviewer_filters_take_usernames(client, annotator, reviewer, article, make_annotation):
    mine = make_annotation(annotator, article, start=0, end=5)
    annotation_approve(actor=reviewer, annotation_id=mine.id)
    assert [a["id"] for a in client.get("/api/annotations/?created_by=alice").json()["results"]] == [mine.id]
    assert [a["id"] for a in client.get("/api/annotations/?reviewed_by=bob").json()["results"]] == [mine.id]
    assert client.get("/api/annotations/?created_by=nobody").status_code == 400
