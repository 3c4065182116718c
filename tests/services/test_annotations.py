"""annotation_create, _update and _delete: spans, kinds, the database's invariants, edits, stored context."""

import pytest
from django.db import IntegrityError, transaction

from annotations.domain.errors import Conflict, InvalidInput, NotAllowed
from annotations.models import DUPLICATE_SPAN_MESSAGE, Annotation, AnnotationEvent, Status
from annotations.services.annotations import annotation_create, annotation_delete, annotation_update
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.factories import MIXED_SCRIPTS_BODY, span_of

pytestmark = pytest.mark.django_db

# Spans of the `article` fixture's body, found in its text.
BODY = MIXED_SCRIPTS_BODY
PRIME = span_of(BODY, "Prime")
PRIME_MINISTER = span_of(BODY, "Prime Minister")


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# --- spans ---------------------------------------------------------------------


def test_create_by_offsets_fills_the_quote(annotator, article):
    annotation = annotation_create(actor=annotator, article=article, kind="claim", **PRIME_MINISTER)
    assert annotation.quote == "Prime Minister"
    assert annotation.status == Status.PENDING
    assert annotation.created_by == annotator


def test_offsets_are_code_points_not_utf16_units(annotator, article):
    """Emoji before the span count as one code point each (a flag is two)."""
    start = article.body.index("Зеленский")
    annotation = annotation_create(
        actor=annotator, article=article, kind="entity", entity_type="PERSON", quote="Зеленский"
    )
    assert (annotation.start, annotation.end) == (start, start + len("Зеленский"))
    assert article.body[annotation.start : annotation.end] == "Зеленский"
    utf16_start = len(article.body[:start].encode("utf-16-le")) // 2
    assert utf16_start != start  # the fixture really has astral characters before the span


def test_create_by_quote_alone(annotator, article):
    annotation = annotation_create(
        actor=annotator, article=article, kind="entity", entity_type="PERSON", quote="Fumio Kishida"
    )
    assert article.body[annotation.start : annotation.end] == "Fumio Kishida"


def test_quote_found_twice_needs_start(annotator, article):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, kind="entity", entity_type="GPE", quote="Kyiv")
    assert errors_of(excinfo) == {"start": ["The quote occurs 2 times in the article body; give start to say which."]}
    second = article.body.rindex("Kyiv")
    annotation = annotation_create(
        actor=annotator, article=article, kind="entity", entity_type="GPE", quote="Kyiv", start=second
    )
    assert (annotation.start, annotation.end) == (second, second + len("Kyiv"))


def test_overlapping_occurrences_are_counted(annotator, make_user):
    article = article_create(title="t", body="aaa")
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, kind="claim", quote="aa")
    assert errors_of(excinfo) == {"start": ["The quote occurs 2 times in the article body; give start to say which."]}


AFTER_PRIME = PRIME["end"]


def empty_or_reversed(start: int, end: int) -> dict[str, list[str]]:
    return {"end": [f"end ({end}) must be greater than start ({start}): the span is empty or reversed."]}


@pytest.mark.parametrize(
    ("span", "errors"),
    [
        ({"quote": "Putin"}, {"quote": ["The quote is not in the article body."]}),
        (
            {**PRIME, "quote": "Minister"},
            {"quote": [f"The quote does not match the text at {PRIME['start']}-{PRIME['end']}, which is 'Prime'."]},
        ),
        ({"start": AFTER_PRIME, "end": AFTER_PRIME}, empty_or_reversed(AFTER_PRIME, AFTER_PRIME)),
        ({"start": PRIME["end"], "end": PRIME["start"]}, empty_or_reversed(PRIME["end"], PRIME["start"])),
        (
            {"start": 0, "end": len(BODY) + 1},
            {"end": [f"end ({len(BODY) + 1}) is beyond the article body, which has {len(BODY)} code points."]},
        ),
        ({"start": PRIME["start"]}, {"end": ["This field is required when start is given without a quote."]}),
        ({"end": PRIME["end"]}, {"start": ["This field is required when end is given."]}),
        ({"quote": ""}, {"quote": ["This field may not be blank."]}),
        ({}, {"non_field_errors": ["Give start and end, or the quote to find in the article body."]}),
    ],
)
def test_bad_spans_are_refused_and_store_nothing(annotator, article, span, errors):
    """Each refusal names its field and says what is wrong, with the offsets it was given."""
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, kind="claim", **span)
    assert errors_of(excinfo) == errors
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


# --- kinds -----------------------------------------------------------------------


def belongs(field: str, owner: str, kind: str) -> dict[str, list[str]]:
    return {field: [f"{field} belongs to {owner} annotations, not to {kind} annotations."]}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": "entity"}, {"entity_type": ["This field is required for entity annotations."]}),
        (
            {"kind": "translation_artifact"},
            {"artifact_type": ["This field is required for translation_artifact annotations."]},
        ),
        ({"kind": "claim", "entity_type": "PERSON"}, belongs("entity_type", "entity", "claim")),
        (
            {"kind": "claim", "suggested_correction": "x"},
            belongs("suggested_correction", "translation_artifact", "claim"),
        ),
        ({"kind": "entity", "entity_type": "PERSON", "claimant": "Kishida"}, belongs("claimant", "claim", "entity")),
        (
            {"kind": "entity", "entity_type": "PERSON", "artifact_type": "grammar"},
            belongs("artifact_type", "translation_artifact", "entity"),
        ),
        (
            {"kind": "translation_artifact", "artifact_type": "grammar", "entity_type": "ORG"},
            belongs("entity_type", "entity", "translation_artifact"),
        ),
    ],
)
def test_kind_specific_fields(annotator, article, fields, errors):
    """A kind's required type, and another kind's fields, are refused by name."""
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, **PRIME, **fields)
    assert errors_of(excinfo) == errors


def test_each_kind_with_its_attributes(annotator, article):
    claim = annotation_create(
        actor=annotator, article=article, kind="claim", quote="Kyiv was calm.", claimant="Reporter", note="n"
    )
    artifact = annotation_create(
        actor=annotator,
        article=article,
        kind="translation_artifact",
        quote="Зеленский",
        artifact_type="untranslated",
        suggested_correction="Zelensky",
    )
    assert (claim.claimant, claim.note) == ("Reporter", "n")
    assert (artifact.artifact_type, artifact.suggested_correction) == ("untranslated", "Zelensky")


def test_duplicate_is_refused_but_overlaps_and_other_types_are_allowed(annotator, other_annotator, article):
    annotation_create(actor=annotator, article=article, kind="claim", **PRIME_MINISTER)
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=other_annotator, article=article, kind="claim", **PRIME_MINISTER)
    assert errors_of(excinfo) == {"non_field_errors": [DUPLICATE_SPAN_MESSAGE]}
    overlapping = span_of(BODY, "Prime Minister 🇯🇵 Fumio")
    annotation_create(actor=annotator, article=article, kind="claim", **overlapping)
    annotation_create(actor=annotator, article=article, kind="claim", **span_of(BODY, "Minister"))  # nested
    annotation_create(actor=annotator, article=article, kind="entity", entity_type="PERSON", **PRIME_MINISTER)
    annotation_create(actor=annotator, article=article, kind="entity", entity_type="ORG", **PRIME_MINISTER)
    assert Annotation.objects.count() == 5


def test_consumer_cannot_create(consumer, article):
    with pytest.raises(NotAllowed):
        annotation_create(actor=consumer, article=article, kind="claim", **PRIME)


# --- the database holds the invariants too -----------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"start": AFTER_PRIME, "end": AFTER_PRIME, "quote": ""},
        {**PRIME, "quote": "Prime Minister"},
        {**PRIME, "quote": "Prime", "kind": "entity"},
        {**PRIME, "quote": "Prime", "claimant": "x", "kind": "entity", "entity_type": "ORG"},
        {**PRIME, "quote": "Prime", "suggested_correction": "x"},
    ],
)
def test_database_constraints_refuse_what_bulk_writes_skip(annotator, article, fields):
    row = {"kind": "claim", **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.bulk_create([Annotation(article=article, created_by=annotator, **row)])


def test_database_refuses_duplicate_untyped_spans(annotator, article):
    """'' (not NULL) for "no type" makes two identical claims collide in the unique constraint."""
    row = {"article": article, "created_by": annotator, "kind": "claim", **PRIME, "quote": "Prime"}
    Annotation.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.bulk_create([Annotation(**row)])


# --- edit and delete ---------------------------------------------------------------------


def test_author_edits_and_a_rejected_annotation_goes_back_to_pending(pending, annotator, reviewer):
    annotation_reject(actor=reviewer, annotation_id=pending.id, comment="span too long")
    edited = annotation_update(actor=annotator, annotation_id=pending.id, quote="Kyiv was calm", start=None)
    assert edited.status == Status.PENDING
    assert edited.quote == "Kyiv was calm"
    assert (edited.reviewed_by, edited.review_comment) == (None, "")


def test_edit_by_offsets_keeps_the_other_offset(pending, annotator):
    without_stop = pending.start + len("Kyiv was calm")
    edited = annotation_update(actor=annotator, annotation_id=pending.id, end=without_stop)
    assert (edited.start, edited.end, edited.quote) == (pending.start, without_stop, "Kyiv was calm")


def test_edit_that_changes_kind_must_bring_its_type(pending, annotator):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=pending.id, kind="entity")
    assert errors_of(excinfo) == {"entity_type": ["This field is required for entity annotations."]}
    edited = annotation_update(
        actor=annotator, annotation_id=pending.id, kind="entity", entity_type="GPE", quote="Kyiv", start=pending.start
    )
    assert (edited.kind, edited.entity_type, edited.quote) == ("entity", "GPE", "Kyiv")


def test_nobody_else_edits_or_deletes(pending, other_annotator, reviewer):
    for actor in (other_annotator, reviewer):
        with pytest.raises(NotAllowed):
            annotation_update(actor=actor, annotation_id=pending.id, note="mine now")
        with pytest.raises(NotAllowed):
            annotation_delete(actor=actor, annotation_id=pending.id)


def test_approved_annotation_cannot_be_edited_even_by_admin(pending, annotator, reviewer, admin_user):
    annotation_approve(actor=reviewer, annotation_id=pending.id)
    for actor in (annotator, admin_user):
        with pytest.raises(Conflict):
            annotation_update(actor=actor, annotation_id=pending.id, note="late change")


def test_admin_edits_others_annotations(pending, admin_user):
    assert annotation_update(actor=admin_user, annotation_id=pending.id, note="tidied").note == "tidied"


def test_delete_rules(pending, annotator, reviewer, admin_user, article):
    annotation_approve(actor=reviewer, annotation_id=pending.id)
    with pytest.raises(Conflict):
        annotation_delete(actor=annotator, annotation_id=pending.id)
    annotation_delete(actor=admin_user, annotation_id=pending.id)
    assert not Annotation.objects.filter(pk=pending.id).exists()
    own = annotation_create(actor=annotator, article=article, kind="claim", **PRIME)
    annotation_delete(actor=annotator, annotation_id=own.id)
    assert not Annotation.objects.filter(pk=own.id).exists()


def test_edit_into_a_duplicate_is_refused(annotator, article):
    annotation_create(actor=annotator, article=article, kind="claim", **PRIME)
    other = annotation_create(actor=annotator, article=article, kind="claim", **span_of(BODY, "Prime "))
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=other.id, end=PRIME["end"])
    assert errors_of(excinfo) == {"non_field_errors": [DUPLICATE_SPAN_MESSAGE]}
    assert Annotation.objects.get(pk=other.pk).quote == "Prime "


def test_unknown_field_cannot_be_edited(pending, annotator):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=pending.id, status="approved")
    assert errors_of(excinfo) == {"status": ["This field cannot be changed."]}


# --- stored context ----------------------------------------------------------------------


def test_context_is_stored_on_create_and_recomputed_when_the_span_changes(pending, annotator, article):
    """prefix and suffix: up to 32 code points of the body either side of the span, stored with it."""
    body = article.body
    stored = Annotation.objects.get(pk=pending.pk)
    assert (stored.prefix, stored.suffix) == (body[pending.start - 32 : pending.start], "\nThe end.")
    assert len(stored.prefix) == 32 and "🙂" in stored.prefix  # code points, not bytes or UTF-16 units
    annotation_update(actor=annotator, annotation_id=pending.id, quote="Prime Minister")
    stored = Annotation.objects.get(pk=pending.pk)
    after = PRIME_MINISTER["end"]
    assert (stored.prefix, stored.suffix) == ("", body[after : after + 32])
    annotation_update(actor=annotator, annotation_id=pending.id, end=PRIME["end"])
    after = PRIME["end"]
    assert Annotation.objects.get(pk=pending.pk).suffix == body[after : after + 32]
    annotation_update(actor=annotator, annotation_id=pending.id, note="the span stays")
    stored = Annotation.objects.get(pk=pending.pk)
    assert (stored.prefix, stored.suffix) == ("", body[after : after + 32])


# --- an edit that changes nothing -------------------------------------------------------------


@pytest.mark.parametrize("changes", [{}, {"note": ""}, {"kind": "claim", "quote": "Kyiv was calm."}])
def test_an_edit_that_changes_nothing_does_nothing(pending, annotator, reviewer, changes):
    """An empty PATCH sent a rejected annotation back to pending with an 'edited' event."""
    annotation_reject(actor=reviewer, annotation_id=pending.id, comment="too short")
    before = Annotation.objects.get(pk=pending.pk)
    annotation_update(actor=annotator, annotation_id=pending.id, **changes)
    after = Annotation.objects.get(pk=pending.pk)
    assert (after.status, after.review_comment, after.updated_at) == (
        Status.REJECTED,
        "too short",
        before.updated_at,
    )
    assert list(after.events.values_list("action", flat=True)) == ["created", "rejected"]


def test_an_edit_that_changes_nothing_is_still_refused_to_others(pending, other_annotator):
    with pytest.raises(NotAllowed):
        annotation_update(actor=other_annotator, annotation_id=pending.id)


def test_an_edit_event_names_each_changed_field_with_its_old_and_new_value(pending, annotator, article):
    start = article.body.index("Kyiv was calm")
    annotation_update(actor=annotator, annotation_id=pending.id, note="wire says calm", end=start + len("Kyiv was"))
    event = AnnotationEvent.objects.filter(annotation=pending, action="edited").get()
    prefix, suffix = article.body[:start][-32:], article.body[start + len("Kyiv was") :][:32]
    assert event.changes == {
        "end": {"from": pending.end, "to": start + len("Kyiv was")},
        "quote": {"from": "Kyiv was calm.", "to": "Kyiv was"},
        "note": {"from": "", "to": "wire says calm"},
        "suffix": {"from": pending.suffix, "to": suffix},
    }
    assert prefix == pending.prefix  # the start did not move, so neither did the prefix
