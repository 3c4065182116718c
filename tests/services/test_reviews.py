"""The review services: approve, reject, reopen; four eyes, legal moves only, and the history they write."""

import pytest

from annotations.domain.errors import Conflict, InvalidInput, Missing, NotAllowed
from annotations.models import Annotation, Status
from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.reviews import annotation_approve, annotation_reject, annotation_reopen

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


@pytest.mark.xfail(
    strict=True,
    reason="application bug: a review sets reviewed_at (and the event's time) from one clock reading, then "
    "save() stamps updated_at (auto_now) from a later one, so updated_at is a few microseconds after the "
    "last event, unlike the gold fixtures, whose test holds updated_at == the last event's time",
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_review_is_the_annotations_last_update(pending, reviewer, decision):
    """After a review, updated_at, reviewed_at and the review event's time are one moment."""
    review = {"approve": annotation_approve, "reject": annotation_reject}[decision]
    review(actor=reviewer, annotation_id=pending.id, comment="Checked against the wire.")
    stored = Annotation.objects.get(pk=pending.pk)
    last = stored.events.order_by("at", "id").last()
    assert stored.updated_at == stored.reviewed_at == last.at
