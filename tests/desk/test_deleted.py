"""A deleted annotation leaves what it was and its whole history behind (DeletedAnnotation)."""

import pytest
from django.urls import reverse

from annotations.domain.errors import Conflict
from annotations.models import Annotation, AnnotationEvent, DeletedAnnotation
from annotations.services.annotations import annotation_create, annotation_delete, annotation_update
from annotations.services.reviews import annotation_approve, annotation_reject

pytestmark = pytest.mark.django_db

DELETED_LIST = reverse("admin:annotations_deletedannotation_changelist")


@pytest.fixture
def reworked(annotator, reviewer, article):
    """A claim rejected, edited by its author, then deleted by her: four events."""
    claim = annotation_create(
        actor=annotator, article=article, kind="claim", quote="Kyiv was calm", claimant="the ministry", note="check"
    )
    annotation_reject(actor=reviewer, annotation_id=claim.pk, comment="span too short")
    annotation_update(actor=annotator, annotation_id=claim.pk, note="checked again")
    return Annotation.objects.get(pk=claim.pk)


def test_delete_keeps_the_annotation_as_it_was_and_its_history(reworked, annotator, reviewer, client_for):
    events = list(AnnotationEvent.objects.filter(annotation=reworked).order_by("at", "id"))
    response = client_for(annotator).delete(f"/api/annotations/{reworked.pk}/")
    assert response.status_code == 204
    assert not Annotation.objects.filter(pk=reworked.pk).exists()
    assert not AnnotationEvent.objects.filter(pk__in=[event.pk for event in events]).exists()

    kept = DeletedAnnotation.objects.get(former_id=reworked.pk)
    assert (kept.article, kept.kind, kept.quote, kept.created_by, kept.deleted_by) == (
        reworked.article, "claim", "Kyiv was calm", annotator, annotator
    )  # fmt: skip
    assert kept.fields["claimant"] == "the ministry"
    assert kept.fields["note"] == "checked again"
    assert (kept.fields["start"], kept.fields["end"]) == (reworked.start, reworked.end)
    assert kept.fields["status"] == "pending"
    assert kept.fields["created_by"] == annotator.pk
    assert [(e["action"], e["actor"], e["from_status"], e["to_status"], e["comment"]) for e in kept.history] == [
        ("created", annotator.pk, "", "pending", ""),
        ("rejected", reviewer.pk, "pending", "rejected", "span too short"),
        ("edited", annotator.pk, "rejected", "pending", ""),
    ]
    assert [e["id"] for e in kept.history] == [event.pk for event in events]
    assert client_for(annotator).get(f"/api/annotations/{reworked.pk}/history/").status_code == 404


def test_a_refused_delete_keeps_nothing(reworked, reviewer, annotator):
    annotation_approve(actor=reviewer, annotation_id=reworked.pk)
    with pytest.raises(Conflict):
        annotation_delete(actor=annotator, annotation_id=reworked.pk)
    assert not DeletedAnnotation.objects.exists()
    assert AnnotationEvent.objects.filter(annotation=reworked).count() == 4


def test_admin_delete_keeps_it_too(reworked, annotator, browser_for):
    url = reverse("admin:annotations_annotation_delete", args=[reworked.pk])
    response = browser_for(annotator).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert DeletedAnnotation.objects.get(former_id=reworked.pk).deleted_by == annotator


def test_reviewers_read_deleted_annotations_on_the_desk(reworked, annotator, reviewer, browser_for):
    annotation_delete(actor=annotator, annotation_id=reworked.pk)
    kept = DeletedAnnotation.objects.get()
    client = browser_for(reviewer)
    listing = client.get(DELETED_LIST).content.decode()
    assert "Kyiv was calm" in listing and "alice" in listing
    page = client.get(reverse("admin:annotations_deletedannotation_change", args=[kept.pk])).content.decode()
    for shown in ("the ministry", "checked again", "span too short", "rejected", "edited", "deleted", "bob"):
        assert shown in page, shown
    assert '<input type="submit"' not in page  # read-only: nothing to save
    assert client.post(reverse("admin:annotations_deletedannotation_delete", args=[kept.pk])).status_code == 403


def test_annotators_do_not_see_the_deleted(reworked, annotator, browser_for):
    annotation_delete(actor=annotator, annotation_id=reworked.pk)
    assert browser_for(annotator).get(DELETED_LIST).status_code == 403
