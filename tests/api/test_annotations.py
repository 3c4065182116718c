"""The annotation endpoints of API.md: shapes, roles, four eyes, bad input, history."""

import pytest

from annotations.api.serializers.annotations import AnnotationSerializer
from annotations.models import DUPLICATE_SPAN_MESSAGE, Annotation, AnnotationEvent
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.conftest import SEEDS
from tests.factories import AnnotationFactory, ApprovedClaimFactory, span_of

pytestmark = pytest.mark.django_db

# The body of the `sakura` article (seeds are stored verbatim), for spans and messages that depend on it.
SAKURA_BODY = (SEEDS / "001_9f5891fc28e701af.txt").read_text(encoding="utf-8")
PARTAGER = span_of(SAKURA_BODY, "Partager:")
SAKURA = span_of(SAKURA_BODY, "State of Sakura")
JSON_PARSE_ERROR = "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
NOT_FOUND = {"detail": "No Annotation matches the given query."}

API_FIELDS = {
    "id", "article", "kind", "start", "end", "quote", "entity_type", "artifact_type", "suggested_correction",
    "severity", "claimant", "rating", "rating_explanation", "claim_date", "claim_group", "note", "status", "created_by",
    "created_at", "updated_at", "reviewed_by", "reviewed_at",
    "review_comment", "revision", "fixed_in_revision", "origin", "model", "confidence",
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
        {
            "article": sakura.id,
            "kind": "entity",
            "entity_type": "PERSON",
            "start": start,
            "end": start + len("Kuninori Matsuda"),
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["quote"] == "Kuninori Matsuda"


def empty_or_reversed(start: int, end: int) -> dict[str, list[str]]:
    return {"end": [f"end ({end}) must be greater than start ({start}): the span is empty or reversed."]}


def beyond(end: int) -> dict[str, list[str]]:
    return {"end": [f"end ({end}) is beyond the article body, which has {len(SAKURA_BODY)} code points."]}


def belongs(field: str, owner: str, kind: str) -> dict[str, list[str]]:
    return {field: [f"{field} belongs to {owner} annotations, not to {kind} annotations."]}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"start": len(SAKURA_BODY) + 1, "end": len(SAKURA_BODY) + 11}, beyond(len(SAKURA_BODY) + 11)),
        ({"start": PARTAGER["end"], "end": PARTAGER["end"]}, empty_or_reversed(PARTAGER["end"], PARTAGER["end"])),
        ({"start": SAKURA["end"], "end": SAKURA["start"]}, empty_or_reversed(SAKURA["end"], SAKURA["start"])),
        ({"start": -1, "end": PARTAGER["end"]}, {"start": ["Ensure this value is greater than or equal to 0."]}),
        ({"start": "abc", "end": PARTAGER["end"]}, {"start": ["A valid integer is required."]}),
        ({"start": 1.5, "end": PARTAGER["end"]}, {"start": ["A valid integer is required."]}),
        (
            {**PARTAGER, "quote": "Something"},
            {
                "quote": [
                    f"The quote does not match the text at {PARTAGER['start']}-{PARTAGER['end']}, which is 'Partager:'."
                ]
            },
        ),
        ({"quote": "Vladimir Putin"}, {"quote": ["The quote is not in the article body."]}),
        (
            {"quote": "Japan"},
            {
                "start": [
                    f"The quote occurs {SAKURA_BODY.count('Japan')} times in the article body; give start to say which."
                ]
            },
        ),
        ({"quote": "Lviv", "kind": "bogus"}, {"kind": ['"bogus" is not a valid choice.']}),
        ({"quote": "Lviv", "kind": "entity"}, {"entity_type": ["This field is required for entity annotations."]}),
        (
            {"quote": "Lviv", "kind": "entity", "entity_type": "CITY"},
            {"entity_type": ['"CITY" is not a valid choice.']},
        ),
        (
            {"quote": "Lviv", "kind": "translation_artifact", "artifact_type": "typo"},
            {"artifact_type": ['"typo" is not a valid choice.']},
        ),
        (
            {"quote": "Lviv", "kind": "entity", "entity_type": "GPE", "claimant": "me"},
            belongs("claimant", "claim", "entity"),
        ),
        (
            {"quote": "Lviv", "kind": "claim", "suggested_correction": "Lwów"},
            belongs("suggested_correction", "translation_artifact", "claim"),
        ),
        ({"quote": "Lviv", "article": 99999}, {"article": ['Invalid pk "99999" - object does not exist.']}),
        ({"quote": "Lviv", "status": "approved"}, {"status": ["This field is read-only."]}),
        ({"quote": "Lviv", "kind": None}, {"kind": ["This field may not be null."]}),
    ],
)
def test_bad_input_is_400_naming_the_problem_and_stores_nothing(alice, sakura, payload, errors):
    """The body names each bad field and says what is wrong with it."""
    body = {"article": sakura.id, "kind": "claim", **payload}
    response = alice.post("/api/annotations/", body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


def test_duplicate_is_400_non_field(alice, pending, sakura):
    response = alice.post(
        "/api/annotations/",
        {"article": sakura.id, "kind": "translation_artifact", "artifact_type": "literal_rendering",
         "start": pending.start, "end": pending.end},
        format="json",
    )  # fmt: skip
    assert (response.status_code, response.json()) == (400, {"non_field_errors": [DUPLICATE_SPAN_MESSAGE]})


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ("", {"article": ["This field is required."], "kind": ["This field is required."]}),
        (
            "{",
            {"detail": JSON_PARSE_ERROR},
        ),
        ("[]", {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ("null", {"non_field_errors": ["No data provided"]}),
        ("42", {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}),
        ('"text"', {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
    ],
)
def test_malformed_or_empty_json_is_400(alice, raw, errors):
    response = alice.generic("POST", "/api/annotations/", raw, content_type="application/json")
    assert (response.status_code, response.json()) == (400, errors)
    assert not Annotation.objects.exists()


def test_consumer_sees_approved_only(client_for, consumer, pending, reviewer, annotator, sakura):
    approved = annotation_create(actor=annotator, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    annotation_approve(actor=reviewer, annotation_id=approved.id)
    client = client_for(consumer)
    listed = client.get("/api/annotations/").json()
    assert [a["id"] for a in listed["results"]] == [approved.id]
    for url in (f"/api/annotations/{pending.id}/", f"/api/annotations/{pending.id}/history/"):
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert client.get(f"/api/annotations/{approved.id}/").json()["status"] == "approved"


def test_consumer_cannot_write(client_for, consumer, sakura, pending):
    client = client_for(consumer)
    assert client.post("/api/annotations/", {"article": sakura.id, "kind": "claim", "quote": "Lviv"}).status_code == 403
    assert client.patch(f"/api/annotations/{pending.id}/", {"note": "x"}).status_code == 403
    assert client.delete(f"/api/annotations/{pending.id}/").status_code == 403
    response = client.post(f"/api/annotations/{pending.id}/approve/", {})
    assert (response.status_code, response.json()) == (403, {"detail": "Only a reviewer or above may do this."})
    assert Annotation.objects.get(pk=pending.pk).note == ""


def test_role_refusals_read_as_english(client_for, consumer, sakura):
    """A refusal names the role it needs with the right article: 'an annotator'."""
    response = client_for(consumer).post("/api/annotations/", {"article": sakura.id, "kind": "claim", "quote": "Lviv"})
    assert (response.status_code, response.json()) == (403, {"detail": "Only an annotator or above may do this."})


def test_annotators_see_every_annotation(client_for, other_annotator, pending):
    assert client_for(other_annotator).get(f"/api/annotations/{pending.id}/").status_code == 200


def test_put_is_not_offered(alice, pending):
    response = alice.put(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert (response.status_code, response.json()) == (405, {"detail": 'Method "PUT" not allowed.'})


def test_patch_by_author_edits_and_returns_to_pending(alice, bob, pending):
    bob.post(f"/api/annotations/{pending.id}/reject/", {"comment": "Say why."})
    response = alice.patch(f"/api/annotations/{pending.id}/", {"note": "Sakura is a poetic name for Japan."})
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["note"] == "Sakura is a poetic name for Japan."


def test_patch_by_someone_else_is_403(client_for, other_annotator, pending):
    response = client_for(other_annotator).patch(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only the annotation's author or an admin may edit it."},
    )
    assert Annotation.objects.get(pk=pending.pk).note == ""


def test_patch_of_approved_is_409(alice, bob, pending):
    bob.post(f"/api/annotations/{pending.id}/approve/", {})
    response = alice.patch(f"/api/annotations/{pending.id}/", {"note": "x"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "An approved annotation cannot be edited; a reviewer must reopen it first."},
    )


def test_patch_cannot_move_to_another_article(alice, pending, seed_articles):
    response = alice.patch(f"/api/annotations/{pending.id}/", {"article": seed_articles[0].id})
    assert (response.status_code, response.json()) == (400, {"article": ["This field is read-only."]})
    assert Annotation.objects.get(pk=pending.id).article_id == pending.article_id


def test_patch_with_bad_span_is_400_and_changes_nothing(alice, pending):
    response = alice.patch(f"/api/annotations/{pending.id}/", {"end": len(SAKURA_BODY) + 1})
    assert (response.status_code, response.json()) == (400, beyond(len(SAKURA_BODY) + 1))
    assert Annotation.objects.get(pk=pending.id).end == pending.end


def test_delete_by_author_and_409_once_approved(alice, bob, pending, annotator, sakura):
    other = annotation_create(actor=annotator, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    assert alice.delete(f"/api/annotations/{other.id}/").status_code == 204
    bob.post(f"/api/annotations/{pending.id}/approve/", {})
    response = alice.delete(f"/api/annotations/{pending.id}/")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "An approved annotation can only be deleted by an admin."},
    )
    assert Annotation.objects.filter(pk=pending.id).exists()


def test_approve_reject_reopen(alice, bob, pending):
    response = bob.post(f"/api/annotations/{pending.id}/approve/", {"comment": "Correct."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reviewed_by"]) == ("approved", "bob")
    again = bob.post(f"/api/annotations/{pending.id}/approve/", {})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This annotation is approved; only a pending annotation can be approved."},
    )
    assert bob.post(f"/api/annotations/{pending.id}/reopen/", {}).json()["status"] == "pending"
    silent = bob.post(f"/api/annotations/{pending.id}/reject/", {})
    assert (silent.status_code, silent.json()) == (400, {"comment": ["This field is required."]})
    assert bob.post(f"/api/annotations/{pending.id}/reject/", {"comment": "No."}).json()["status"] == "rejected"


def test_author_review_is_403_even_for_a_reviewer(client_for, reviewer, sakura):
    own = annotation_create(actor=reviewer, article=sakura, kind="entity", entity_type="GPE", quote="Lviv")
    response = client_for(reviewer).post(f"/api/annotations/{own.id}/approve/", {})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You are this annotation's author; someone else must review it (four eyes)."},
    )


def test_annotator_review_is_403(client_for, other_annotator, pending):
    response = client_for(other_annotator).post(f"/api/annotations/{pending.id}/approve/", {})
    assert (response.status_code, response.json()) == (403, {"detail": "Only a reviewer or above may do this."})


def test_review_of_unknown_annotation_is_404(bob):
    response = bob.post("/api/annotations/424242/approve/", {})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


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
    fields = {"action", "actor", "at", "from_status", "to_status", "comment"}
    assert [set(event) for event in history] == [fields, fields, fields | {"changes"}, fields]
    assert history[2]["changes"] == {"suggested_correction": {"from": "Japan", "to": "Japanese citizens"}}


def test_list_query_count_does_not_grow_with_page_size(
    alice, annotator, reviewer, sakura, django_assert_max_num_queries
):
    """50 pending and 50 approved claims: a page of 5 or of 100 costs the same few queries."""
    AnnotationFactory.create_batch(50, article=sakura, created_by=annotator)
    ApprovedClaimFactory.create_batch(50, article=sakura, created_by=annotator, reviewed_by=reviewer)
    with django_assert_max_num_queries(4):
        small = alice.get("/api/annotations/?page_size=5")
    with django_assert_max_num_queries(4):
        large = alice.get("/api/annotations/?page_size=500")
    every = list(Annotation.objects.order_by("id").values_list("id", flat=True))
    assert len(every) == 100
    assert [a["id"] for a in small.json()["results"]] == every[:5]
    assert [a["id"] for a in large.json()["results"]] == every


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
