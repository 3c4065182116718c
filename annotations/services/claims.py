"""Claim groups: claims in several articles that state the same thing, linked by a person.

Linking puts two claims in one group (joining an existing group, or merging two); unlinking
takes a claim out (a group left with one claim is dissolved). Each claim whose group changes
gets a history event, and an approved one's changed record goes to the change feed. Every
row involved is locked in id order, so two links that meet cannot deadlock.
"""

from django.db import transaction
from django.utils import timezone

from annotations.domain.errors import Conflict, Missing, invalid
from annotations.domain.kinds import Kind
from annotations.domain.roles import Role
from annotations.domain.transitions import HistoryAction, Status
from annotations.models import Annotation, AnnotationEvent, ClaimGroup
from annotations.services.feed import entry_for, publish
from annotations.services.users import require_role


def claims_link(*, actor, annotation_id: int, to: int) -> Annotation:
    """Put the claims `annotation_id` and `to` in one claim group; returns the first."""
    require_role(actor, Role.ANNOTATOR, "link claims")
    if annotation_id == to:
        raise invalid("to", "A claim cannot be linked to itself.")
    with transaction.atomic():
        claims = _locked_with_groups([annotation_id, to])
        first, second = claims[annotation_id], claims[to]
        for claim in (first, second):
            _check_linkable(claim, field="to" if claim is second else "id")
        if first.claim_group_id is not None and first.claim_group_id == second.claim_group_id:
            return first  # already linked: nothing changes
        group_id = first.claim_group_id or second.claim_group_id
        if group_id is None:
            group_id = ClaimGroup.objects.create().pk
        # Everyone locked is one of the two or in one of their groups: all end in `group_id`.
        moving = [claim for claim in claims.values() if claim.claim_group_id != group_id]
        _move(moving, group_id, HistoryAction.LINKED, actor=actor)
        ClaimGroup.objects.filter(claims__isnull=True).delete()  # a group merged away
    return Annotation.objects.select_related("created_by", "reviewed_by").get(pk=annotation_id)


def claim_unlink(*, actor, annotation_id: int) -> Annotation:
    """Take the claim out of its group; a group left with one claim is dissolved."""
    require_role(actor, Role.ANNOTATOR, "unlink claims")
    with transaction.atomic():
        claims = _locked_with_groups([annotation_id])
        claim = claims[annotation_id]
        if claim.claim_group_id is None:
            return claim
        group_id = claim.claim_group_id
        rest = [c for c in claims.values() if c.claim_group_id == group_id and c.pk != claim.pk]
        _move([claim, *rest] if len(rest) == 1 else [claim], None, HistoryAction.UNLINKED, actor=actor)
        if len(rest) <= 1:
            ClaimGroup.objects.filter(pk=group_id).delete()
    return Annotation.objects.select_related("created_by", "reviewed_by").get(pk=annotation_id)


def _locked_with_groups(ids: list[int]) -> dict[int, Annotation]:
    """The annotations named and every member of their groups, locked in id order; read again if a
    group changed between the look and the lock (a link or unlink in between)."""
    for _ in range(3):
        groups = set(Annotation.objects.filter(pk__in=ids).values_list("claim_group_id", flat=True)) - {None}
        wanted = set(ids) | set(Annotation.objects.filter(claim_group_id__in=groups).values_list("id", flat=True))
        locked = {a.pk: a for a in Annotation.objects.select_for_update().filter(pk__in=wanted).order_by("id")}
        missing = [pk for pk in ids if pk not in locked]
        if missing:
            raise Missing(f"No annotation with the id {missing[0]}.")
        groups_now = {locked[pk].claim_group_id for pk in ids} - {None}
        members_now = set(Annotation.objects.filter(claim_group_id__in=groups_now).values_list("id", flat=True))
        if members_now <= set(locked):
            return locked
    raise Conflict("These claims' groups changed while linking; try again.")


def _check_linkable(claim: Annotation, *, field: str) -> None:
    if claim.kind != Kind.CLAIM:
        raise invalid(field, f"Only claims can be linked; annotation {claim.pk} is a {claim.kind}.")
    if claim.status == Status.ORPHANED:
        raise Conflict(f"Claim {claim.pk} is orphaned: place it again before linking it.")


def _move(claims: list[Annotation], group_id: int | None, action: HistoryAction, *, actor) -> None:
    """Set each claim's group, with its event; approved ones go to the feed (their record changed)."""
    now = timezone.now()
    events = []
    for claim in claims:
        before = claim.claim_group_id
        claim.claim_group_id, claim.updated_at = group_id, now
        events.append(
            AnnotationEvent(
                annotation=claim,
                action=action,
                actor=actor,
                at=now,
                from_status=claim.status,
                to_status=claim.status,
                changes={"claim_group": {"from": before, "to": group_id}},
            )
        )
    Annotation.objects.bulk_update(claims, ["claim_group", "updated_at"])
    AnnotationEvent.objects.bulk_create(events)
    publish(entry_for(c, was_approved=True) for c in claims if c.status == Status.APPROVED)
