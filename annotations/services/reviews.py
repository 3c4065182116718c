"""Reviews: approve, reject, reopen. Never by the annotation's author, nor by anyone who
edited its content (four eyes).

Each is its own service over the one transition table (domain/transitions.py):
lock the row, check who and from which status, write the status, the review
fields and the history event together.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from annotations.domain.errors import Conflict, DomainError, NotAllowed, invalid
from annotations.domain.feed import WithdrawalReason
from annotations.domain.roles import Role
from annotations.domain.transitions import TRANSITIONS, Status, Transition
from annotations.models import Annotation, AnnotationEvent
from annotations.selectors.annotations import annotation_authors, annotation_authors_of
from annotations.services.annotations import enter, event_for, lock_annotation, record_event
from annotations.services.feed import Entry, entry_for, publish
from annotations.services.users import require_role


def _start_review(actor, decision: str, comment: str) -> Transition:
    """The transition a review asks for, once what does not depend on the annotation is checked."""
    transition = TRANSITIONS[decision]
    if not transition.by_reviewer:
        raise invalid("decision", f"{decision} is not a review.")
    if transition.comment_required and not (comment or "").strip():
        raise invalid("comment", f"{transition.noun.capitalize()} needs a comment that says why.")
    require_role(actor, Role.REVIEWER, "review annotations")
    return transition


def _refusal(actor, annotation: Annotation, transition: Transition, authors: set[int]) -> DomainError | None:
    """Why `actor` may not make this review of this (locked) annotation, or None if they may."""
    if annotation.created_by_id == actor.pk:
        return NotAllowed("You are this annotation's author; someone else must review it (four eyes).")
    if actor.pk in authors:
        return NotAllowed("You edited this annotation; someone else must review it (four eyes).")
    if annotation.status not in transition.from_statuses:
        wanted = " or ".join(sorted(transition.from_statuses))
        return Conflict(
            f"This annotation is {annotation.status}; only a {wanted} annotation can be {transition.action}."
        )
    return None


def _feed_entry(annotation: Annotation, from_status: str) -> Entry | None:
    """A review's change to the approved set: an approval enters it, reopening an approved one leaves it."""
    return entry_for(annotation, was_approved=from_status == Status.APPROVED, reason=WithdrawalReason.REOPENED)


def annotation_review(*, actor, annotation_id: int, decision: str, comment: str = "") -> Annotation:
    """Review by the name the transition table gives the move ("approve", "reject", "reopen")."""
    transition = _start_review(actor, decision, comment)
    with transaction.atomic():
        annotation = lock_annotation(annotation_id)
        if refusal := _refusal(actor, annotation, transition, annotation_authors(annotation)):
            raise refusal
        from_status = enter(annotation, transition, actor=actor, comment=comment)
        annotation.save()
        record_event(annotation, action=transition.action, actor=actor, from_status=from_status, comment=comment)
        publish([_feed_entry(annotation, from_status)])
    return annotation


def annotation_approve(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="approve", comment=comment)


def annotation_reject(*, actor, annotation_id: int, comment: str) -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="reject", comment=comment)


def annotation_reopen(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="reopen", comment=comment)


BULK_REVIEW_LIMIT = 2000  # annotations one bulk review takes: one short transaction (BENCHMARKS.md)


@dataclass
class BulkReview:
    """What a bulk review did: the annotations reviewed, those refused (by reason), and how
    many of those asked for were beyond the limit and not looked at."""

    reviewed: list[Annotation] = field(default_factory=list)
    refused: dict[str, list[Annotation]] = field(default_factory=lambda: defaultdict(list))
    not_reached: int = 0


def annotations_review_bulk(*, actor, annotation_ids: list[int], decision: str, comment: str = "") -> BulkReview:
    """Make one review of many annotations at once, the first BULK_REVIEW_LIMIT by id.

    One transaction: every row locked (in id order, so that two bulk reviews cannot
    deadlock), each checked by the rules of a single review, the reviewed ones written
    with their history events in bulk. Nothing is half-done: a failure stores none of it.
    """
    transition = _start_review(actor, decision, comment)
    ids = sorted(set(annotation_ids))
    result = BulkReview(not_reached=max(0, len(ids) - BULK_REVIEW_LIMIT))
    with transaction.atomic():
        annotations = list(Annotation.objects.select_for_update().filter(pk__in=ids[:BULK_REVIEW_LIMIT]).order_by("pk"))
        authors = annotation_authors_of(annotations)
        events, entries = [], []
        for annotation in annotations:
            if refusal := _refusal(actor, annotation, transition, authors[annotation.pk]):
                result.refused[refusal.message].append(annotation)
                continue
            from_status = enter(annotation, transition, actor=actor, comment=comment)
            events.append(
                event_for(annotation, action=transition.action, actor=actor, from_status=from_status, comment=comment)
            )
            entries.append(_feed_entry(annotation, from_status))
            result.reviewed.append(annotation)
        Annotation.objects.bulk_update(
            result.reviewed, ["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"], batch_size=500
        )
        AnnotationEvent.objects.bulk_create(events, batch_size=500)
        publish(entries)
    return result
