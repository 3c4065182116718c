"""Claims in other articles that state the same thing: those that share one of the claim's
rarest words (domain/similarity.py's probes), ranked by trigram similarity of their quotes
(pg_trgm's measure; the same in Python elsewhere), the claimants weighing in when both name one.

On PostgreSQL a GIN index over claims' words (migration 0017) counts the claims that have each
word (up to COUNT_CAP; the index's statistics already say which words are that common) and
finds those that share a probe, at most CANDIDATE_CAP of them ranked in SQL. On SQLite every
claim is read and the same rule applied.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

from annotations.domain.errors import invalid
from annotations.domain.kinds import Kind
from annotations.domain.similarity import COUNT_CAP, probes, similarity, words
from annotations.domain.transitions import Status
from annotations.models import Annotation
from annotations.selectors.annotations import annotations_visible_to

SIMILAR_LIMIT = 10
# How much the claimants count when both claims name one (the quotes carry the rest).
CLAIMANT_WEIGHT = 0.2
# Candidates read by quote similarity before the claimants re-rank them.
CANDIDATES = 5
# At most this many claims sharing a probe are compared (only a claim of common words alone has
# more; which of them is then arbitrary).
CANDIDATE_CAP = 1000
# The words index (migration 0017), whose statistics say which words are common.
WORDS_INDEX = "annotation_claim_words"


class SharesWords(Func):
    """PostgreSQL: the text has a word of the tsquery (`'a' | 'b' | ...`), by the words index's own
    expression (so that the index answers it)."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        text, text_params = compiler.compile(self.source_expressions[0])
        query, query_params = compiler.compile(self.source_expressions[1])
        return f"to_tsvector('simple', {text}) @@ to_tsquery('simple', {query})", (*text_params, *query_params)


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
        candidates = _candidates_postgres(annotation.quote, others, limit * CANDIDATES)
    else:
        claims_with = Counter(word for quote in _claim_quotes() for word in words(quote))
        probed = set(probes({word: claims_with[word] for word in words(annotation.quote)}))
        candidates = [claim for claim in others if probed & words(claim.quote)]
    ranked = sorted(
        (Similar(claim, round(_score(annotation, claim), 4)) for claim in candidates),
        key=lambda s: (-s.similarity, s.claim.pk),
    )
    return [s for s in ranked if s.similarity > 0][:limit]


def _claim_quotes() -> list[str]:
    return list(Annotation.objects.filter(kind=Kind.CLAIM).values_list("quote", flat=True))


def _candidates_postgres(quote: str, others: QuerySet, count: int) -> list[Annotation]:
    """The `count` claims most similar by quote among at most CANDIDATE_CAP that share a probe."""
    probed = probes(_claims_with_words_postgres(quote))
    if not probed:
        return []
    query = " | ".join("'" + word.replace("'", "''") + "'" for word in probed)
    pool = others.filter(SharesWords(F("quote"), Value(query))).order_by()[:CANDIDATE_CAP]
    closeness = RawSQL('similarity(UPPER("annotations_annotation"."quote"), UPPER(%s))', [quote])
    return list(
        others.filter(pk__in=pool.values("pk")).annotate(closeness=closeness).order_by("-closeness", "pk")[:count]
    )


def _claims_with_words_postgres(quote: str) -> dict[str, int]:
    """How many claims have each of the quote's words, up to COUNT_CAP: from the words index's
    statistics where they say a word is that common (no counting), else counted in the index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples FROM pg_stats s "
            "JOIN pg_class c ON c.relname = s.tablename WHERE s.tablename = %s",
            [WORDS_INDEX],
        )
        stats = cursor.fetchone()
        common = set()
        if stats and stats[0]:
            elements, frequencies, claims = stats
            common = {word for word, share in zip(elements, frequencies, strict=False) if share * claims > COUNT_CAP}
        cursor.execute("SELECT lexeme FROM unnest(to_tsvector('simple', %s))", [quote])
        lexemes = [row[0] for row in cursor.fetchall()]
        counted = {word: COUNT_CAP + 1 for word in lexemes if word in common}
        rare = [word for word in lexemes if word not in common]
        if rare:
            cursor.execute(
                "SELECT w, (SELECT count(*) FROM (SELECT 1 FROM annotations_annotation WHERE kind = 'claim' "
                "AND to_tsvector('simple', quote) @@ to_tsquery('simple', quote_literal(w)) LIMIT %s) s) "
                "FROM unnest(%s::text[]) w",
                [COUNT_CAP + 1, rare],
            )
            counted.update(cursor.fetchall())
    return counted


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
