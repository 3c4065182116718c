"""Claims' fact-check fields (rating, rating_explanation, claim_date) and translation artifacts'
severity: set on create and edit, refused on other kinds by name, filtered, and carried by
the records (every export, the feed)."""

import csv
import io
import json

import pytest

from annotations.models import AnnotationEvent
from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db

URL = "/api/annotations/"


def create(client, article, **fields):
    return client.post(URL, {"article": article.pk, **fields}, format="json")


def test_a_claim_carries_its_fact_check(client_for, annotator, article):
    response = create(
        client_for(annotator),
        article,
        kind="claim",
        quote="Kyiv was calm",
        claimant="the ministry",
        rating="mostly_false",
        rating_explanation="Shelling was reported that morning.",
        claim_date="2022-03-02",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rating"], body["rating_explanation"], body["claim_date"], body["severity"]) == (
        "mostly_false",
        "Shelling was reported that morning.",
        "2022-03-02",
        None,
    )


def test_an_artifact_is_minor_until_graded(client_for, annotator, article):
    client = client_for(annotator)
    ungraded = create(client, article, kind="translation_artifact", quote="Зеленский", artifact_type="untranslated")
    assert ungraded.json()["severity"] == "minor"
    graded = create(
        client, article, kind="translation_artifact", quote="The end", artifact_type="grammar", severity="critical"
    )
    assert graded.json()["severity"] == "critical"


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"kind": "entity", "quote": "Fumio Kishida", "entity_type": "PERSON", "rating": "false"}, "rating"),
        ({"kind": "translation_artifact", "quote": "Зеленский", "artifact_type": "untranslated",
          "claim_date": "2022-03-02"}, "claim_date"),
        ({"kind": "claim", "quote": "Kyiv was calm", "severity": "major"}, "severity"),
        ({"kind": "entity", "quote": "Fumio Kishida", "entity_type": "PERSON", "rating_explanation": "x"},
         "rating_explanation"),
        ({"kind": "claim", "quote": "Kyiv was calm", "rating": "pants_on_fire"}, "rating"),
        ({"kind": "claim", "quote": "Kyiv was calm", "claim_date": "2 March"}, "claim_date"),
        ({"kind": "translation_artifact", "quote": "Зеленский", "artifact_type": "untranslated",
          "severity": "fatal"}, "severity"),
    ],
)  # fmt: skip
def test_fields_of_another_kind_or_bad_values_are_a_400_naming_them(client_for, annotator, article, fields, refused):
    response = create(client_for(annotator), article, **fields)
    assert response.status_code == 400
    assert refused in response.json()


def test_an_edit_sets_the_fact_check_and_a_change_of_kind_drops_the_severity(client_for, annotator, article):
    client = client_for(annotator)
    made = create(client, article, kind="translation_artifact", quote="Kyiv was calm", artifact_type="grammar").json()
    edited = client.patch(
        f"{URL}{made['id']}/", {"kind": "claim", "artifact_type": None, "claim_date": "2022-03-01"}, format="json"
    )
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["severity"], edited.json()["claim_date"]) == (None, "2022-03-01")
    event = AnnotationEvent.objects.filter(annotation_id=made["id"], action="edited").get()
    assert event.changes["claim_date"] == {"from": None, "to": "2022-03-01"}
    assert event.changes["severity"] == {"from": "minor", "to": ""}


def test_the_list_filters_by_rating_and_severity(client_for, annotator, article):
    client = client_for(annotator)
    create(client, article, kind="claim", quote="Kyiv was calm", rating="false")
    create(client, article, kind="claim", quote="The end")
    create(client, article, kind="translation_artifact", quote="Зеленский", artifact_type="untranslated")
    create(client, article, kind="translation_artifact", quote="Fumio", artifact_type="grammar", severity="major")
    quotes = lambda params: [a["quote"] for a in client.get(URL, params).json()["results"]]  # noqa: E731
    assert quotes({"rating": "false"}) == ["Kyiv was calm"]
    assert quotes({"severity": "major"}) == ["Fumio"]
    assert quotes({"severity": ["minor", "major"]}) == ["Зеленский", "Fumio"]
    assert client.get(URL, {"rating": "unknown"}).status_code == 400


def test_the_exports_carry_them(client_for, annotator, reviewer, consumer, article):
    client = client_for(annotator)
    claim = create(client, article, kind="claim", quote="Kyiv was calm", rating="false", claim_date="2022-03-02").json()
    artifact = create(
        client, article, kind="translation_artifact", quote="Зеленский", artifact_type="untranslated", severity="major"
    ).json()
    for made in (claim, artifact):
        annotation_approve(actor=reviewer, annotation_id=made["id"])
    reader = client_for(consumer)
    response = reader.get("/api/exports/annotations.jsonl")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    by_id = {record["id"]: record for record in lines}
    assert (by_id[claim["id"]]["rating"], by_id[claim["id"]]["claim_date"]) == ("false", "2022-03-02")
    assert (by_id[claim["id"]]["severity"], by_id[artifact["id"]]["severity"]) == (None, "major")
    assert by_id[artifact["id"]]["rating"] is None and by_id[artifact["id"]]["claim_date"] is None
    response = reader.get("/api/exports/annotations.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_id = {int(row["id"]): row for row in rows}
    assert (by_id[claim["id"]]["rating"], by_id[claim["id"]]["claim_date"]) == ("false", "2022-03-02")
    assert by_id[artifact["id"]]["severity"] == "major"
    feed = reader.get("/api/changes/").json()["results"]
    assert {c["record"]["id"]: c["record"]["rating"] for c in feed} == {claim["id"]: "false", artifact["id"]: None}
