"""The annotation endpoints of API.md: shapes, roles, four eyes, bad input, history."""

import pytest

from annotations.api.serializers.annotations import AnnotationSerializer
from annotations.models import Annotation, AnnotationEvent
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve, annotation_reject

pytestmark = pytest.mark.django_db

API_FIELDS = {
    "id", "article", "kind", "start", "end", "quote", "entity_type", "artifact_type", "suggested_correction",
    "claimant", "note", "status", "created_by", "created_at", "updated_at", "reviewed_by", "reviewed_at",
    "review_comment",
}  # fmt: skip


@pytest.fixture
def sakura(seed_articles):
    return seed_articles[1]


@pytest.fixture
def alice(client_for, annotator):
    return client_for(annotator)


@pytest.fixture
def bob(client_for, reviewer):
    return client_for(reviewer)


@pytest.fixture
def pending(annotator, sakura):
    return annotation_create(
        actor=annotator,
        article=sakura,
        kind="translation_artifact",
        quote="State of Sakura",
        artifact_type="literal_rendering",
        suggested_correction="Japan",
    )


def test_create_returns_the_annotation_of_the_contract(alice, sakura):
    response = alice.post(
        "/api/annotations/",
        {
            "article": sakura.id,
            "kind": "translation_artifact",
            "quote": "State of Sakura",
            "artifact_type": "literal_rendering",
            "suggested_correction": "Japan",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == API_FIELDS
    assert sakura.body[data["start"] : data["end"]] == "State of Sakura"
    assert data["entity_type"] is None
    assert (data["status"], data["created_by"], data["reviewed_by"]) == ("pending", "alice", None)


def test_create_entity_by_offsets(alice, sakura):
    start = sakura.body.index("Kuninori Matsuda")
    response = alice.post(
        "/api/annotations/",
        {"article": sakura.id, "kind": "entity", "entity_type": "PERSON", "start": start, "end": start + 16},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["quote"] == "Kuninori Matsuda"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": 10_000_000, "end": 10_000_010}, "end"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": 9, "end": 3}, "end"),
        ({"start": -1, "end": 3}, "start"),
        ({"start": "abc", "end": 3}, "start"),
        ({"start": 1.5, "end": 3}, "start"),
        ({"start": 0, "end": 9, "quote": "Something"}, "quote"),
        ({"quote": "Vladimir Putin"}, "quote"),
        ({"quote": "Japan"}, "start"),
        ({"quote": "Lviv", "kind": "bogus"}, "kind"),
        ({"quote": "Lviv", "kind": "entity"}, "entity_type"),
        ({"quote": "Lviv", "kind": "entity", "entity_type": "CITY"}, "entity_type"),
        ({"quote": "Lviv", "kind": "translation_artifact", "artifact_type": "typo"}, "artifact_type"),
        ({"quote": "Lviv", "kind": "entity", "entity_type": "GPE", "claimant": "me"}, "claimant"),
        ({"quote": "Lviv", "kind": "claim", "suggested_correction": "Lwów"}, "suggested_correction"),
        ({"quote": "Lviv", "article": 99999}, "article"),
        ({"quote": "Lviv", "status": "approved"}, "status"),
        ({"quote": "Lviv", "kind": None}, "kind"),
    ],
)
def test_bad_input_is_400_naming_the_problem_and_stores_nothing(alice, sakura, payload, field):
    body = {"article": sakura.id, "kind": "claim", **payload}
    response = alice.post("/api/annotations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


def test_duplicate_is_400_non_field(alice, pending, sakura):
    response = alice.post(
        "/api/annotations/",
        {"article": sakura.id, "kind": "translation_artifact", "artifact_type": "literal_rendering",
         "start": pending.start, "end": pending.end},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "already has an annotation" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", "42", '"text"'])
def test_malformed_or_empty_json_is_400(alice, raw):
    response = alice.generic("POST", "/api/annotations/", raw, content_type="application/json")
    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_consumer_sees_approved_only(client_for, consumer, pending, reviewer, annotator, sakura):
    approved = annotation_create(actor=annotator, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    annotation_approve(actor=reviewer, annotation_id=approved.id)
    client = client_for(consumer)
    listed = client.get("/api/annotations/").json()
    assert [a["id"] for a in listed["results"]] == [approved.id]
    assert client.get(f"/api/annotations/{pending.id}/").status_code == 404
    assert client.get(f"/api/annotations/{pending.id}/history/").status_code == 404
    assert client.get(f"/api/annotations/{approved.id}/").json()["status"] == "approved"


def test_consumer_cannot_write(client_for, consumer, sakura, pending):
    client = client_for(consumer)
    assert client.post("/api/annotations/", {"article": sakura.id, "kind": "claim", "quote": "Lviv"}).status_code == 403
    assert client.patch(f"/api/annotations/{pending.id}/", {"note": "x"}).status_code == 403
    assert client.delete(f"/api/annotations/{pending.id}/").status_code == 403
    assert client.post(f"/api/annotations/{pending.id}/approve/", {}).status_code == 403


def test_annotators_see_every_annotation(client_for, other_annotator, pending):
    assert client_for(other_annotator).get(f"/api/annotations/{pending.id}/").status_code == 200


def test_put_is_not_offered(alice, pending):
    response = alice.put(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert response.status_code == 405


def test_patch_by_author_edits_and_returns_to_pending(alice, bob, pending):
    bob.post(f"/api/annotations/{pending.id}/reject/", {"comment": "Say why."})
    response = alice.patch(f"/api/annotations/{pending.id}/", {"note": "Sakura is a poetic name for Japan."})
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["note"] == "Sakura is a poetic name for Japan."


def test_patch_by_someone_else_is_403(client_for, other_annotator, pending):
    response = client_for(other_annotator).patch(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert response.status_code == 403


def test_patch_of_approved_is_409(alice, bob, pending):
    bob.post(f"/api/annotations/{pending.id}/approve/", {})
    response = alice.patch(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert response.status_code == 409
    assert "detail" in response.json()


def test_patch_cannot_move_to_another_article(alice, pending, seed_articles):
    response = alice.patch(f"/api/annotations/{pending.id}/", {"article": seed_articles[0].id})
    assert response.status_code == 400
    assert "article" in response.json()


def test_patch_with_bad_span_is_400_and_changes_nothing(alice, pending):
    response = alice.patch(f"/api/annotations/{pending.id}/", {"end": 10_000_000})
    assert response.status_code == 400
    assert Annotation.objects.get(pk=pending.id).end == pending.end


def test_delete_by_author_and_409_once_approved(alice, bob, pending, annotator, sakura):
    other = annotation_create(actor=annotator, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    assert alice.delete(f"/api/annotations/{other.id}/").status_code == 204
    bob.post(f"/api/annotations/{pending.id}/approve/", {})
    assert alice.delete(f"/api/annotations/{pending.id}/").status_code == 409


def test_approve_reject_reopen(alice, bob, pending):
    response = bob.post(f"/api/annotations/{pending.id}/approve/", {"comment": "Correct."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reviewed_by"]) == ("approved", "bob")
    assert bob.post(f"/api/annotations/{pending.id}/approve/", {}).status_code == 409
    assert bob.post(f"/api/annotations/{pending.id}/reopen/", {}).json()["status"] == "pending"
    assert bob.post(f"/api/annotations/{pending.id}/reject/", {}).status_code == 400
    assert bob.post(f"/api/annotations/{pending.id}/reject/", {"comment": "No."}).json()["status"] == "rejected"


def test_author_review_is_403_even_for_a_reviewer(client_for, reviewer, sakura):
    own = annotation_create(actor=reviewer, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    response = client_for(reviewer).post(f"/api/annotations/{own.id}/approve/", {})
    assert response.status_code == 403
    assert "four eyes" in response.json()["detail"]


def test_annotator_review_is_403(client_for, other_annotator, pending):
    assert client_for(other_annotator).post(f"/api/annotations/{pending.id}/approve/", {}).status_code == 403


def test_review_of_unknown_annotation_is_404(bob):
    assert bob.post("/api/annotations/424242/approve/", {}).status_code == 404


def test_history_oldest_first(alice, bob, pending):
    bob.post(f"/api/annotations/{pending.id}/reject/", {"comment": "Correction should be 'Japanese citizens'."})
    alice.patch(f"/api/annotations/{pending.id}/", {"suggested_correction": "Japanese citizens"})
    bob.post(f"/api/annotations/{pending.id}/approve/", {})
    history = alice.get(f"/api/annotations/{pending.id}/history/").json()
    assert [(e["action"], e["actor"], e["from_status"], e["to_status"]) for e in history] == [
        ("created", "alice", None, "pending"),
        ("rejected", "bob", "pending", "rejected"),
        ("edited", "alice", "rejected", "pending"),
        ("approved", "bob", "pending", "approved"),
    ]
    assert history[1]["comment"] == "Correction should be 'Japanese citizens'."
    assert all(set(event) == {"action", "actor", "at", "from_status", "to_status", "comment"} for event in history)


def test_list_query_count_does_not_grow_with_page_size(
    alice, annotator, reviewer, sakura, django_assert_max_num_queries
):
    body = sakura.body
    for start in range(0, 300, 3):
        annotation = annotation_create(actor=annotator, article=sakura, kind="claim", start=start, end=start + 2)
        if start % 2:
            annotation_approve(actor=reviewer, annotation_id=annotation.id)
    assert body  # spans above are inside the body
    with django_assert_max_num_queries(4):
        small = alice.get("/api/annotations/?page_size=5")
    with django_assert_max_num_queries(4):
        large = alice.get("/api/annotations/?page_size=500")
    assert (len(small.json()["results"]), len(large.json()["results"])) == (5, 100)


def test_fast_representation_equals_the_declared_fields(annotator, reviewer, sakura):
    """The list renders annotations directly; it must say exactly what DRF's declared fields say."""
    pending = annotation_create(
        actor=annotator, article=sakura, kind="entity", entity_type="GPE", quote="Lviv", note="ünïcode"
    )
    reviewed = annotation_create(
        actor=annotator, article=sakura, kind="claim", quote="Kuninori Matsuda", claimant="Kyodo"
    )
    annotation_reject(actor=reviewer, annotation_id=reviewed.id, comment="Not a claim.")
    serializer = AnnotationSerializer()
    for annotation in Annotation.objects.select_related("created_by", "reviewed_by").filter(
        pk__in=[pending.pk, reviewed.pk]
    ):
        assert serializer.to_representation(annotation) == serializer.declared_representation(annotation)
