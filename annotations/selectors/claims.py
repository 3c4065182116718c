"""Claims in other articles that state the same thing: the nearest by trigram similarity of
their quotes (pg_trgm on PostgreSQL, through a GiST index over claims; the same measure in
Python elsewhere, domain/similarity.py), the claimants weighing in when both name one."""

from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL

from annotations.domain.errors import invalid
from annotations.domain.kinds import Kind
from annotations.domain.similarity import similarity
from annotations.domain.transitions import Status
from annotations.models import Annotation
from annotations.selectors.annotations import annotations_visible_to

SIMILAR_LIMIT = 10
# How much the claimants count when both claims name one (the quotes carry the rest).
CLAIMANT_WEIGHT = 0.2
# Candidates read by quote distance before the claimants re-rank them.
CANDIDATES = 5


@dataclass(frozen=True)
class Similar:
    claim: Annotation
    similarity: float


def similar_claims(annotation: Annotation, *, user, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """The claims of other articles most like `annotation` (a claim), most similar first, among
    those `user` may see; only those with something in common."""
    if annotation.kind != Kind.CLAIM:
        raise invalid("kind", "Only claims have similar claims.")
    others = (
        annotations_visible_to(user)
        .filter(kind=Kind.CLAIM)
        .exclude(article_id=annotation.article_id)
        .exclude(status=Status.ORPHANED)
    )
    if connection.vendor == "postgresql":
        distance = RawSQL('UPPER("annotations_annotation"."quote") <-> UPPER(%s)', [annotation.quote])
        candidates = list(others.annotate(distance=distance).order_by("distance")[: limit * CANDIDATES])
    else:
        candidates = list(others)
    ranked = sorted(
        (Similar(claim, round(_score(annotation, claim), 4)) for claim in candidates),
        key=lambda s: (-s.similarity, s.claim.pk),
    )
    return [s for s in ranked if s.similarity > 0][:limit]


def _score(claim: Annotation, other: Annotation) -> float:
    quotes = similarity(claim.quote, other.quote)
    if claim.claimant and other.claimant:
        return (1 - CLAIMANT_WEIGHT) * quotes + CLAIMANT_WEIGHT * similarity(claim.claimant, other.claimant)
    return quotes


def linked_with(user, annotations: list[Annotation]) -> dict[int, list[Annotation]]:
    """The other members of each linked claim's group that `user` may see, with their articles
    (titles and sources, not bodies), by claim id: one query for all, none if nothing is linked."""
    groups = {a.claim_group_id for a in annotations if a.claim_group_id is not None}
    if not groups:
        return {}
    members = (
        annotations_visible_to(user)
        .filter(claim_group_id__in=groups)
        .select_related("article")
        .defer("article__body")
        .order_by("id")
    )
    by_group: dict[int, list[Annotation]] = {}
    for member in members:
        by_group.setdefault(member.claim_group_id, []).append(member)
    return {
        a.pk: [m for m in by_group.get(a.claim_group_id, []) if m.pk != a.pk]
        for a in annotations
        if a.claim_group_id is not None
    }
