"""annotation_create, _update and _delete: spans, kinds, the database's invariants, edits, stored context."""

import pytest
from django.db import IntegrityError, transaction

from annotations.domain.errors import Conflict, InvalidInput, NotAllowed
from annotations.models import Annotation, AnnotationEvent, Status
from annotations.services.annotations import annotation_create, annotation_delete, annotation_update
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# --- spans ---------------------------------------------------------------------


def test_create_by_offsets_fills_the_quote(annotator, article):
    annotation = annotation_create(actor=annotator, article=article, kind="claim", start=0, end=14)
    assert annotation.quote == "Prime Minister"
    assert annotation.status == Status.PENDING
    assert annotation.created_by == annotator


def test_offsets_are_code_points_not_utf16_units(annotator, article):
    """Emoji before the span count as one code point each (a flag is two)."""
    start = article.body.index("Зеленский")
    annotation = annotation_create(
        actor=annotator, article=article, kind="entity", entity_type="PERSON", quote="Зеленский"
    )
    assert (annotation.start, annotation.end) == (start, start + 9)
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
    assert (annotation.start, annotation.end) == (second, second + 4)


def test_overlapping_occurrences_are_counted(annotator, make_user):
    article = article_create(title="t", body="aaa")
    with pytest.raises(InvalidInput, match="occurs 2 times"):
        annotation_create(actor=annotator, article=article, kind="claim", quote="aa")


@pytest.mark.parametrize(
    ("span", "field", "message"),
    [
        ({"quote": "Putin"}, "quote", "not in the article body"),
        ({"start": 0, "end": 5, "quote": "Minister"}, "quote", "does not match the text at 0-5"),
        ({"start": 5, "end": 5}, "end", "empty or reversed"),
        ({"start": 9, "end": 3}, "end", "empty or reversed"),
        ({"start": 0, "end": 10_000}, "end", "beyond the article body"),
        ({"start": 3}, "end", "required"),
        ({"end": 3}, "start", "required"),
        ({"quote": ""}, "quote", "blank"),
        ({}, "non_field_errors", "Give start and end, or the quote"),
    ],
)
def test_bad_spans_are_refused_and_store_nothing(annotator, article, span, field, message):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, kind="claim", **span)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


# --- kinds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "entity"}, "entity_type"),
        ({"kind": "translation_artifact"}, "artifact_type"),
        ({"kind": "claim", "entity_type": "PERSON"}, "entity_type"),
        ({"kind": "claim", "suggested_correction": "x"}, "suggested_correction"),
        ({"kind": "entity", "entity_type": "PERSON", "claimant": "Kishida"}, "claimant"),
        ({"kind": "entity", "entity_type": "PERSON", "artifact_type": "grammar"}, "artifact_type"),
        ({"kind": "translation_artifact", "artifact_type": "grammar", "entity_type": "ORG"}, "entity_type"),
    ],
)
def test_kind_specific_fields(annotator, article, fields, field):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_create(actor=annotator, article=article, start=0, end=5, **fields)
    assert field in errors_of(excinfo)


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
    annotation_create(actor=annotator, article=article, kind="claim", start=0, end=14)
    with pytest.raises(InvalidInput, match="already has an annotation"):
        annotation_create(actor=other_annotator, article=article, kind="claim", start=0, end=14)
    annotation_create(actor=annotator, article=article, kind="claim", start=0, end=20)  # overlapping
    annotation_create(actor=annotator, article=article, kind="claim", start=6, end=14)  # nested
    annotation_create(actor=annotator, article=article, kind="entity", entity_type="PERSON", start=0, end=14)
    annotation_create(actor=annotator, article=article, kind="entity", entity_type="ORG", start=0, end=14)
    assert Annotation.objects.count() == 5


def test_consumer_cannot_create(consumer, article):
    with pytest.raises(NotAllowed):
        annotation_create(actor=consumer, article=article, kind="claim", start=0, end=5)


# --- the database holds the invariants too -----------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"start": 5, "end": 5, "quote": ""},
        {"start": 0, "end": 5, "quote": "Prime Minister"},
        {"start": 0, "end": 5, "quote": "Prime", "kind": "entity"},
        {"start": 0, "end": 5, "quote": "Prime", "claimant": "x", "kind": "entity", "entity_type": "ORG"},
        {"start": 0, "end": 5, "quote": "Prime", "suggested_correction": "x"},
    ],
)
def test_database_constraints_refuse_what_bulk_writes_skip(annotator, article, fields):
    row = {"kind": "claim", **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.bulk_create([Annotation(article=article, created_by=annotator, **row)])


def test_database_refuses_duplicate_untyped_spans(annotator, article):
    """'' (not NULL) for "no type" makes two identical claims collide in the unique constraint."""
    row = {"article": article, "created_by": annotator, "kind": "claim", "start": 0, "end": 5, "quote": "Prime"}
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


def test_edit_by_offsets_keeps_the_other_offset(pending, annotator, article):
    edited = annotation_update(actor=annotator, annotation_id=pending.id, end=pending.end - 1)
    assert edited.quote == article.body[pending.start : pending.end - 1]


def test_edit_that_changes_kind_must_bring_its_type(pending, annotator):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=pending.id, kind="entity")
    assert "entity_type" in errors_of(excinfo)
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
    own = annotation_create(actor=annotator, article=article, kind="claim", start=0, end=5)
    annotation_delete(actor=annotator, annotation_id=own.id)
    assert not Annotation.objects.filter(pk=own.id).exists()


def test_edit_into_a_duplicate_is_refused(annotator, article):
    annotation_create(actor=annotator, article=article, kind="claim", start=0, end=5)
    other = annotation_create(actor=annotator, article=article, kind="claim", start=0, end=6)
    with pytest.raises(InvalidInput, match="already has"):
        annotation_update(actor=annotator, annotation_id=other.id, end=5)


def test_unknown_field_cannot_be_edited(pending, annotator):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=pending.id, status="approved")
    assert "status" in errors_of(excinfo)


# --- stored context ----------------------------------------------------------------------


def test_context_is_stored_on_create_and_recomputed_when_the_span_changes(pending, annotator, article):
    """prefix and suffix: up to 32 code points of the body either side of the span, stored with it."""
    body = article.body
    stored = Annotation.objects.get(pk=pending.pk)
    assert (stored.prefix, stored.suffix) == (body[pending.start - 32 : pending.start], "\nThe end.")
    assert len(stored.prefix) == 32 and "🙂" in stored.prefix  # code points, not bytes or UTF-16 units
    annotation_update(actor=annotator, annotation_id=pending.id, quote="Prime Minister")
    stored = Annotation.objects.get(pk=pending.pk)
    assert (stored.prefix, stored.suffix) == ("", body[14:46])
    annotation_update(actor=annotator, annotation_id=pending.id, end=5)
    assert Annotation.objects.get(pk=pending.pk).suffix == body[5:37]
    annotation_update(actor=annotator, annotation_id=pending.id, note="the span stays")
    stored = Annotation.objects.get(pk=pending.pk)
    assert (stored.prefix, stored.suffix) == ("", body[5:37])
