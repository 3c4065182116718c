"""Where an annotation came from (API.md, "Imports and machine suggestions"): origin, and for a
machine suggestion its model and confidence; set on creation, filtered, exported."""

import json

import pytest

from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db

URL = "/api/annotations/"


def create(client, article, **fields):
    return client.post(URL, {"article": article.pk, **fields}, format="json")


def test_a_machine_suggestion_names_its_model_and_confidence(client_for, annotator, article):
    response = create(
        client_for(annotator),
        article,
        kind="entity",
        quote="Fumio Kishida",
        entity_type="PERSON",
        origin="machine",
        model="spacy-ner 3.8",
        confidence=0.93,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["origin"], body["model"], body["confidence"], body["status"]) == (
        "machine",
        "spacy-ner 3.8",
        0.93,
        "pending",
    )


def test_a_persons_annotation_is_human_with_no_model(client_for, annotator, article):
    body = create(client_for(annotator), article, kind="claim", quote="Kyiv was calm").json()
    assert (body["origin"], body["model"], body["confidence"]) == ("human", "", None)


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"origin": "human", "model": "gpt"}, "model"),
        ({"confidence": 0.5}, "confidence"),  # human unless given
        ({"origin": "import", "confidence": 0.5}, "confidence"),
        ({"origin": "machine", "confidence": 1.5}, "confidence"),
        ({"origin": "machine", "confidence": -0.1}, "confidence"),
        ({"origin": "robot"}, "origin"),
    ],
)
def test_provenance_that_does_not_hold_together_is_refused_by_name(client_for, annotator, article, fields, refused):
    response = create(client_for(annotator), article, kind="claim", quote="Kyiv was calm", **fields)
    assert response.status_code == 400
    assert refused in response.json()


def test_provenance_is_not_edited(client_for, annotator, article):
    client = client_for(annotator)
    made = create(client, article, kind="claim", quote="Kyiv was calm", origin="machine", model="m", confidence=0.4)
    response = client.patch(f"{URL}{made.json()['id']}/", {"origin": "human"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"origin": ["This field is read-only."]}


@pytest.fixture
def suggestions(client_for, annotator, reviewer, article):
    client = client_for(annotator)
    made = {
        "sure": create(client, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON",
                       origin="machine", model="ner 1", confidence=0.9),
        "unsure": create(client, article, kind="entity", quote="Зеленский", entity_type="PERSON",
                         origin="machine", model="ner 1", confidence=0.35),
        "person": create(client, article, kind="claim", quote="Kyiv was calm"),
        "imported": create(client, article, kind="claim", quote="The end", origin="import"),
    }  # fmt: skip
    assert all(response.status_code == 201 for response in made.values()), [r.json() for r in made.values()]
    ids = {name: response.json()["id"] for name, response in made.items()}
    for pk in ids.values():
        annotation_approve(actor=reviewer, annotation_id=pk)
    return ids


def test_the_list_filters_by_origin_and_confidence(client_for, reviewer, suggestions):
    client = client_for(reviewer)

    def ids(**params):
        return {item["id"] for item in client.get(URL, params).json()["results"]}

    assert ids(origin="machine") == {suggestions["sure"], suggestions["unsure"]}
    assert ids(origin=["human", "import"]) == {suggestions["person"], suggestions["imported"]}
    assert ids(min_confidence="0.8") == {suggestions["sure"]}
    assert ids(min_confidence="0") == {suggestions["sure"], suggestions["unsure"]}  # others have none
    for bad in ("high", "1.5", "-1"):
        response = client.get(URL, {"min_confidence": bad})
        assert response.status_code == 400 and "min_confidence" in response.json()
    assert client.get(URL, {"origin": "robot"}).status_code == 400


def test_exports_carry_provenance_and_take_its_filters(client_for, consumer, suggestions):
    response = client_for(consumer).get("/api/exports/annotations.jsonl", {"origin": "machine"})
    records = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert {(r["id"], r["origin"], r["model"], r["confidence"]) for r in records} == {
        (suggestions["sure"], "machine", "ner 1", 0.9),
        (suggestions["unsure"], "machine", "ner 1", 0.35),
    }
