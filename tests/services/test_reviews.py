"""The review services: approve, reject, reopen; four eyes, legal moves only, and the history they write."""

import pytest

from annotations.domain.errors import Conflict, InvalidInput, Missing, NotAllowed
from annotations.models import Annotation, AnnotationEvent, Status
from annotations.services import reviews
from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.reviews import (
    annotation_approve,
    annotation_reject,
    annotation_reopen,
    annotations_review_bulk,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# --- review ---------------------------------------------------------------------------


def test_approve_by_another_reviewer(pending, reviewer):
    annotation = annotation_approve(actor=reviewer, annotation_id=pending.id, comment="checked")
    assert annotation.status == Status.APPROVED
    assert annotation.reviewed_by == reviewer
    assert annotation.reviewed_at is not None
    assert annotation.review_comment == "checked"


def test_author_can_never_review_own_annotation_whatever_their_role(make_user, article):
    for role, quote in (("reviewer", "Prime"), ("admin", "Minister")):
        author = make_user(role)
        annotation = annotation_create(actor=author, article=article, kind="claim", quote=quote)
        for review in (annotation_approve, annotation_reopen):
            with pytest.raises(NotAllowed, match="four eyes"):
                review(actor=author, annotation_id=annotation.id)
        with pytest.raises(NotAllowed, match="four eyes"):
            annotation_reject(actor=author, annotation_id=annotation.id, comment="no")
        assert Annotation.objects.get(pk=annotation.id).status == Status.PENDING


def test_annotators_and_consumers_cannot_review(pending, other_annotator, consumer):
    for actor in (other_annotator, consumer):
        with pytest.raises(NotAllowed):
            annotation_approve(actor=actor, annotation_id=pending.id)


def test_reviewing_twice_is_a_conflict(pending, reviewer, other_reviewer):
    annotation_approve(actor=reviewer, annotation_id=pending.id)
    with pytest.raises(Conflict) as excinfo:
        annotation_approve(actor=other_reviewer, annotation_id=pending.id)
    assert excinfo.value.as_data() == {
        "detail": "This annotation is approved; only a pending annotation can be approved."
    }
    with pytest.raises(Conflict) as excinfo:
        annotation_reject(actor=other_reviewer, annotation_id=pending.id, comment="late")
    assert excinfo.value.as_data() == {
        "detail": "This annotation is approved; only a pending annotation can be rejected."
    }


def test_reject_needs_a_comment(pending, reviewer):
    with pytest.raises(InvalidInput) as excinfo:
        annotation_reject(actor=reviewer, annotation_id=pending.id, comment="  ")
    assert errors_of(excinfo) == {"comment": ["A rejection needs a comment that says why."]}
    rejected = annotation_reject(actor=reviewer, annotation_id=pending.id, comment="Not a claim.")
    assert (rejected.status, rejected.review_comment) == (Status.REJECTED, "Not a claim.")


def test_reopen_from_approved_or_rejected_only(pending, reviewer, other_reviewer):
    with pytest.raises(Conflict):
        annotation_reopen(actor=reviewer, annotation_id=pending.id)
    annotation_approve(actor=reviewer, annotation_id=pending.id)
    reopened = annotation_reopen(actor=other_reviewer, annotation_id=pending.id, comment="second look")
    assert reopened.status == Status.PENDING
    assert reopened.reviewed_by is None
    annotation_reject(actor=reviewer, annotation_id=pending.id, comment="wrong")
    assert annotation_reopen(actor=reviewer, annotation_id=pending.id).status == Status.PENDING


def test_unknown_annotation_is_missing(reviewer):
    with pytest.raises(Missing):
        annotation_approve(actor=reviewer, annotation_id=987654)


# --- history -------------------------------------------------------------------------------


def test_history_records_every_change_in_order(pending, annotator, reviewer, other_reviewer):
    annotation_reject(actor=reviewer, annotation_id=pending.id, comment="cut the full stop")
    annotation_update(actor=annotator, annotation_id=pending.id, end=pending.start + len("Kyiv was calm"))
    annotation_approve(actor=other_reviewer, annotation_id=pending.id, comment="ok")
    annotation_reopen(actor=reviewer, annotation_id=pending.id, comment="claimant missing")
    events = list(
        pending.events.order_by("at", "id").values_list(
            "action", "actor__username", "from_status", "to_status", "comment"
        )
    )
    assert events == [
        ("created", "alice", "", "pending", ""),
        ("rejected", "bob", "pending", "rejected", "cut the full stop"),
        ("edited", "alice", "rejected", "pending", ""),
        ("approved", "dave", "pending", "approved", "ok"),
        ("reopened", "bob", "approved", "pending", "claimant missing"),
    ]


def test_refused_change_writes_no_history(pending, annotator):
    with pytest.raises(NotAllowed):
        annotation_approve(actor=annotator, annotation_id=pending.id)
    assert pending.events.count() == 1


def test_review_event_time_is_the_review_time(pending, reviewer):
    annotation = annotation_approve(actor=reviewer, annotation_id=pending.id)
    assert annotation.events.get(action="approved").at == annotation.reviewed_at


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_review_is_the_annotations_last_update(pending, reviewer, decision):
    """After a review, updated_at, reviewed_at and the review event's time are one moment."""
    review = {"approve": annotation_approve, "reject": annotation_reject}[decision]
    review(actor=reviewer, annotation_id=pending.id, comment="Checked against the wire.")
    stored = Annotation.objects.get(pk=pending.pk)
    last = stored.events.order_by("at", "id").last()
    assert stored.updated_at == stored.reviewed_at == last.at


# --- four eyes: whoever wrote the content ------------------------------------------------------


def test_an_admin_who_edited_someone_elses_annotation_may_not_approve_it(pending, admin_user, reviewer):
    """The hole: an admin could PATCH annotator2's annotation and then approve the rewrite."""
    annotation_update(actor=admin_user, annotation_id=pending.id, note="my rewrite")
    with pytest.raises(NotAllowed) as refused:
        annotation_approve(actor=admin_user, annotation_id=pending.id)
    assert refused.value.message == "You edited this annotation; someone else must review it (four eyes)."
    assert Annotation.objects.get(pk=pending.pk).status == Status.PENDING
    assert annotation_approve(actor=reviewer, annotation_id=pending.id).status == Status.APPROVED


def test_an_editor_stays_an_author_after_later_edits(pending, annotator, admin_user, reviewer):
    annotation_update(actor=admin_user, annotation_id=pending.id, note="admin's words")
    annotation_update(actor=annotator, annotation_id=pending.id, note="alice's words again")
    with pytest.raises(NotAllowed):
        annotation_reject(actor=admin_user, annotation_id=pending.id, comment="no")


# --- bulk reviews ------------------------------------------------------------------------------


def test_a_bulk_review_reviews_what_it_may_and_says_why_not_the_rest(annotator, reviewer, article, make_annotation):
    theirs = [make_annotation(annotator, article, quote=quote) for quote in ("Prime", "Minister", "Kyiv was calm")]
    own = make_annotation(reviewer, article, quote="The end")
    done = make_annotation(annotator, article, quote="met", status="approved", reviewed_by=UserFactory(role="reviewer"))
    ids = [a.pk for a in (*theirs, own, done)]
    result = annotations_review_bulk(actor=reviewer, annotation_ids=ids, decision="approve", comment="ok")
    assert [a.pk for a in result.reviewed] == [a.pk for a in theirs]
    assert {reason: [a.pk for a in refused] for reason, refused in result.refused.items()} == {
        "You are this annotation's author; someone else must review it (four eyes).": [own.pk],
        "This annotation is approved; only a pending annotation can be approved.": [done.pk],
    }
    assert result.not_reached == 0
    for annotation in Annotation.objects.filter(pk__in=[a.pk for a in theirs]):
        assert (annotation.status, annotation.reviewed_by, annotation.review_comment) == ("approved", reviewer, "ok")
        event = annotation.events.get(action="approved")
        assert (event.actor, event.from_status, event.to_status, event.at) == (
            reviewer,
            "pending",
            "approved",
            annotation.reviewed_at,
        )
    assert Annotation.objects.get(pk=own.pk).status == Status.PENDING


def test_a_bulk_review_takes_at_most_its_limit_oldest_first(annotator, reviewer, article, monkeypatch):
    monkeypatch.setattr(reviews, "BULK_REVIEW_LIMIT", 2)
    made = [
        annotation_create(actor=annotator, article=article, kind="claim", quote=q) for q in ("Prime", "Minister", "met")
    ]
    result = annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in reversed(made)], decision="approve")
    assert [a.pk for a in result.reviewed] == [made[0].pk, made[1].pk]
    assert result.not_reached == 1
    assert Annotation.objects.get(pk=made[2].pk).status == Status.PENDING


def test_a_bulk_rejection_needs_its_comment_and_then_stores_nothing(pending, reviewer):
    with pytest.raises(InvalidInput):
        annotations_review_bulk(actor=reviewer, annotation_ids=[pending.pk], decision="reject", comment=" ")
    assert Annotation.objects.get(pk=pending.pk).status == Status.PENDING


def test_a_bulk_review_that_fails_half_way_stores_nothing(annotator, reviewer, article, monkeypatch):
    """One transaction: an error while writing the events leaves every annotation as it was."""
    made = [annotation_create(actor=annotator, article=article, kind="claim", quote=q) for q in ("Prime", "Minister")]

    def failing_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AnnotationEvent.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError):
        annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made], decision="approve")
    assert set(Annotation.objects.filter(pk__in=[a.pk for a in made]).values_list("status", flat=True)) == {"pending"}
