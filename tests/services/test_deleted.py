"""annotation_delete keeps what the annotation was and its whole history (DeletedAnnotation)."""

import pytest

from annotations.domain.errors import Conflict
from annotations.models import Annotation, AnnotationEvent, DeletedAnnotation
from annotations.services.annotations import annotation_delete
from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db


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
