"""Query parameters that once caused server errors under fuzzing are 400s."""

import pytest

from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, annotator):
    return client_for(annotator)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/api/articles/?language=en%00", "language"),
        ("/api/articles/?source=Kyodo%00", "source"),
        ("/api/articles/?q=Kyodo%00", "q"),
        ("/api/annotations/?created_by=alice%00", "created_by"),
        ("/api/annotations/?source=%00", "source"),
        ("/api/annotations/?q=%00", "q"),
    ],
)
def test_null_characters_are_400(client, query, parameter):
    response = client.get(query)
    assert (response.status_code, response.json()) == (400, {parameter: ["Null characters are not allowed."]})


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            "/api/articles/?published_after=0001-01-01T00:00:00%2B05:00",
            {"published_after": ["This date-time is out of range."]},
        ),
        ("/api/annotations/?created_after=2022-13-01", {"created_after": ["Enter a valid date/time."]}),
    ],
)
def test_dates_postgres_cannot_hold_are_400(client, query, errors):
    response = client.get(query)
    assert (response.status_code, response.json()) == (400, errors)


def test_far_offsets_are_converted_to_utc(client):
    """+19:10 is a valid ISO 8601 offset even if PostgreSQL would refuse it as such."""
    assert client.get("/api/annotations/?reviewed_before=2022-11-19T00:17:56%2B19:10").status_code == 200
    assert client.get("/api/annotations/?reviewed_before=0476-11-19T00:17:56%2B19:10").status_code == 200


def test_author_and_reviewer_filters_take_usernames(client, annotator, reviewer, article, make_annotation):
    mine = make_annotation(annotator, article, quote="Prime")
    annotation_approve(actor=reviewer, annotation_id=mine.id)
    assert [a["id"] for a in client.get("/api/annotations/?created_by=alice").json()["results"]] == [mine.id]
    assert [a["id"] for a in client.get("/api/annotations/?reviewed_by=bob").json()["results"]] == [mine.id]
    response = client.get("/api/annotations/?created_by=nobody")
    assert (response.status_code, response.json()) == (
        400,
        {"created_by": ["Select a valid choice. nobody is not one of the available choices."]},
    )
