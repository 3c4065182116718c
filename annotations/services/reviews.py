"""Reviews: approve, reject, reopen. Never by the annotation's author (four eyes).

Each is its own service over the one transition table (domain/transitions.py):
lock the row, check who and from which status, write the status, the review
fields and the history event together.
"""

from django.db import transaction

from annotations.domain.errors import Conflict, NotAllowed, invalid
from annotations.domain.roles import Role
from annotations.domain.transitions import TRANSITIONS
from annotations.models import Annotation
from annotations.services.annotations import enter, lock_annotation, record_event
from annotations.services.users import require_role


def annotation_review(*, actor, annotation_id: int, decision: str, comment: str = "") -> Annotation:
    """Review by the name the transition table gives the move ("approve", "reject", "reopen")."""
    transition = TRANSITIONS[decision]
    if not transition.by_reviewer:
        raise invalid("decision", f"{decision} is not a review.")
    if transition.comment_required and not (comment or "").strip():
        raise invalid("comment", f"{transition.noun.capitalize()} needs a comment that says why.")
    require_role(actor, Role.REVIEWER, "review annotations")
    with transaction.atomic():
        annotation = lock_annotation(annotation_id)
        if annotation.created_by_id == actor.pk:
            raise NotAllowed("You are this annotation's author; someone else must review it (four eyes).")
        if annotation.status not in transition.from_statuses:
            wanted = " or ".join(sorted(transition.from_statuses))
            raise Conflict(
                f"This annotation is {annotation.status}; only a {wanted} annotation can be {transition.action}."
            )
        from_status = enter(annotation, transition, actor=actor, comment=comment)
        annotation.save()
        record_event(annotation, action=transition.action, actor=actor, from_status=from_status, comment=comment)
    return annotation


def annotation_approve(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="approve", comment=comment)


def annotation_reject(*, actor, annotation_id: int, comment: str) -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="reject", comment=comment)


def annotation_reopen(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return annotation_review(actor=actor, annotation_id=annotation_id, decision="reopen", comment=comment)
