"""GET /api/changes/: the feed's shape, paging by cursor, filters, bad input, 410, and the
exports' Copydesk-Cursor header from which a client follows the feed."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Change
from annotations.services.annotations import annotation_create
from annotations.services.feed import prune_changes
from annotations.services.reviews import annotation_approve, annotation_reopen
from tests.factories import ArticleFactory, bulk_claims
from tests.mirror import Mirror, exported

pytestmark = pytest.mark.django_db

URL = "/api/changes/"


@pytest.fixture
def two_articles(annotator, reviewer, article):
    """Three approvals and a reopening: a claim and an entity on `article` (Test Wire, en), a claim
    on an article of another source and language."""
    other = ArticleFactory(title="Autre", body="Le sommet de Genève a commencé lundi.", source="AFP", language="fr")
    made = [
        annotation_create(actor=annotator, article=article, kind="claim", quote="Kyiv was calm"),
        annotation_create(actor=annotator, article=article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"),
        annotation_create(actor=annotator, article=other, kind="claim", quote="Le sommet de Genève"),
    ]
    for annotation in made:
        annotation_approve(actor=reviewer, annotation_id=annotation.pk)
    annotation_reopen(actor=reviewer, annotation_id=made[0].pk)
    return made


def test_a_consumer_reads_each_change_in_the_feeds_shape(client_for, consumer, two_articles):
    response = client_for(consumer).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "has_more"} and body["has_more"] is False
    first, *_, last = body["results"]
    assert set(first) == {"cursor", "type", "at", "annotation_id", "article_id", "revision", "record", "reason"}
    assert first["type"] == "annotation.approved" and first["record"]["quote"] == "Kyiv was calm"
    assert first["revision"] == 1 and first["reason"] is None and first["at"].endswith("Z")
    assert (last["type"], last["record"], last["reason"]) == ("annotation.withdrawn", None, "reopened")
    assert body["next"] == last["cursor"]


def test_anonymous_clients_are_refused(client_for):
    assert client_for().get(URL).status_code == 401


def test_pages_follow_the_cursor_with_nothing_skipped_or_repeated(client_for, consumer, two_articles):
    client, cursors, after = client_for(consumer), [], None
    while True:
        body = client.get(URL, {"limit": 1, **({"after": after} if after else {})}).json()
        cursors += [c["cursor"] for c in body["results"]]
        after = body["next"]
        if not body["has_more"]:
            break
    assert cursors == [str(pk) for pk in Change.objects.order_by("id").values_list("id", flat=True)]
    # At the end, the cursor stays put until something changes.
    assert client.get(URL, {"after": after}).json() == {"results": [], "next": after, "has_more": False}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "entity"}, ["Fumio Kishida"]),
        ({"source": "AFP"}, ["Le sommet de Genève"]),
        ({"language": "fr"}, ["Le sommet de Genève"]),
        ({"kind": ["claim", "entity"], "language": "en"}, ["Kyiv was calm", "Fumio Kishida", None]),
    ],
)
def test_the_lists_filters_apply(client_for, consumer, two_articles, params, expected):
    body = client_for(consumer).get(URL, params).json()
    assert [c["record"] and c["record"]["quote"] for c in body["results"]] == expected
    # `next` is past the changes the filter left out, so that they are not read again.
    assert body["next"] == str(Change.objects.order_by("id").last().id)


def test_the_article_filter(client_for, consumer, two_articles):
    article_id = two_articles[2].article_id
    body = client_for(consumer).get(URL, {"article": article_id}).json()
    assert [c["annotation_id"] for c in body["results"]] == [two_articles[2].pk]
    # A change outlives its article: an id no longer stored is no error, only no match.
    assert client_for(consumer).get(URL, {"article": 999999}).json()["results"] == []
    assert client_for(consumer).get(URL, {"article": "first"}).status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"after": "1" * 30}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"kind": "opinion"}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client_for, consumer, two_articles, params, field):
    response = client_for(consumer).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_cursor_older_than_the_changes_kept_is_a_410(client_for, consumer, two_articles):
    oldest = Change.objects.order_by("id").first()
    Change.objects.filter(pk=oldest.pk).update(at="2020-01-01T00:00:00Z")
    prune_changes()
    response = client_for(consumer).get(URL, {"after": "0"})
    assert response.status_code == 410
    assert "export again" in response.json()["detail"].lower()
    assert client_for(consumer).get(URL, {"after": str(oldest.id)}).status_code == 200


@pytest.mark.parametrize("export", ["annotations.jsonl", "annotations.csv", "annotations.jsonld"])
def test_every_export_names_the_feed_position_it_is_consistent_with(client_for, consumer, two_articles, export):
    response = client_for(consumer).get(f"/api/exports/{export}")
    b"".join(response.streaming_content)
    assert response["Copydesk-Cursor"] == str(Change.objects.order_by("id").last().id)


def test_an_export_and_its_cursor_then_the_feed_give_the_approved_set(
    client_for, consumer, annotator, reviewer, article, two_articles
):
    response = client_for(consumer).get("/api/exports/annotations.jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    mirror = Mirror({r["id"]: r for r in map(json.loads, lines)}, cursor=response["Copydesk-Cursor"])
    later = annotation_create(actor=annotator, article=article, kind="claim", quote="The end")
    annotation_approve(actor=reviewer, annotation_id=later.pk)
    annotation_reopen(actor=reviewer, annotation_id=two_articles[1].pk)

    body = client_for(consumer).get(URL, {"after": mirror.cursor}).json()
    for change in body["results"]:
        mirror.apply(change)
    assert len(body["results"]) == 2
    assert mirror.records == exported()


def test_a_page_costs_the_same_queries_whatever_its_size(client_for, consumer, annotator, reviewer, article):
    client = client_for(consumer)
    counts = {}
    for n in (2, 40):
        for claim in bulk_claims(n, created_by=annotator, reviewed_by=None, status="pending"):
            annotation_approve(actor=reviewer, annotation_id=claim.pk)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(URL, {"limit": 1000}).json()
        assert len(body["results"]) == Change.objects.count()
        counts[n] = len(captured)
    assert counts[2] == counts[40], counts


def test_records_keep_the_exports_field_order(client_for, consumer, two_articles):
    """PostgreSQL's jsonb sorts keys its own way: the feed gives them in the export's order."""
    response = client_for(consumer).get("/api/exports/annotations.jsonl")
    exported_keys = list(json.loads(b"".join(response.streaming_content).decode().splitlines()[0]))
    first = client_for(consumer).get(URL).json()["results"][0]
    assert list(first["record"]) == exported_keys
