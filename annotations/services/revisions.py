"""Revising an article: its new body as revision n+1, and every annotation re-anchored, in one transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations.domain.anchoring import Anchor, Outcome, Placement, reanchor
from annotations.domain.articles import body_sha256, normalize_body
from annotations.domain.errors import Conflict, invalid
from annotations.domain.feed import WithdrawalReason
from annotations.domain.kinds import Kind
from annotations.domain.quality import count_words
from annotations.domain.roles import Role
from annotations.domain.spans import span_context
from annotations.domain.transitions import HistoryAction, Status
from annotations.models import Annotation, AnnotationEvent, Article, ArticleRevision
from annotations.services.annotations import lock_article
from annotations.services.feed import entry_for, publish
from annotations.services.users import require_role

# Each outcome's history event, and the status it leaves (None: the status stays).
_ACTION = {
    Outcome.MOVED: HistoryAction.MOVED,
    Outcome.FIXED: HistoryAction.FIXED,
    Outcome.FUZZY: HistoryAction.FUZZY,
    Outcome.ORPHANED: HistoryAction.ORPHANED,
}
_STATUS_AFTER = {Outcome.FUZZY: Status.PENDING, Outcome.ORPHANED: Status.ORPHANED}
# Why an approved annotation left the approved set, by the status a revision left it in.
_WITHDRAWAL = {
    Status.PENDING: WithdrawalReason.FUZZY,
    Status.ORPHANED: WithdrawalReason.ORPHANED,
    Status.APPROVED: None,
}
# What a re-anchoring may write on an annotation row.
_REANCHORED_FIELDS = [
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "revision",
    "fixed_in_revision",
    "status",
    "updated_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
]


@dataclass(frozen=True)
class Revised:
    article: Article
    revision: ArticleRevision

    @property
    def reanchoring(self) -> dict[str, int]:
        return self.revision.reanchoring


def revision_first(article: Article, *, actor=None) -> ArticleRevision:
    """Revision 1 of a new article (unsaved): its body as created."""
    return ArticleRevision(
        article=article,
        number=1,
        title=article.title,
        body=article.body,
        content_sha256=article.content_sha256,
        created_by=actor,
        created_at=article.created_at or timezone.now(),
    )


def _article_of_body(sha: str, *, other_than: int | None = None) -> int | None:
    """The id of an article whose current or earlier body has this hash (other than the one named)."""
    current = Article.objects.filter(content_sha256=sha)
    earlier = ArticleRevision.objects.filter(content_sha256=sha)
    if other_than is not None:
        current, earlier = current.exclude(pk=other_than), earlier.exclude(article_id=other_than)
    found = current.values_list("id", flat=True).first()
    return found if found is not None else earlier.values_list("article_id", flat=True).first()


def refuse_stored_body(sha: str, *, other_than: int | None = None) -> None:
    """Conflict (409, naming the article) if an article other than the one named has or had this body."""
    if (other := _article_of_body(sha, other_than=other_than)) is not None:
        raise Conflict("An article with this body is already stored.", id=other)


def article_revise(*, actor, article_id: int, body: str, note: str = "", title: str | None = None) -> Revised:
    """Store `body` as the article's next revision and re-anchor its annotations.

    One transaction: the article row is locked first (creations of annotations lock
    it too), then its annotations (edits and reviews lock theirs), so that nothing
    lands on the old text unseen; a failure stores nothing.
    """
    if actor is not None:
        require_role(actor, Role.ANNOTATOR, "revise articles")
    body = normalize_body(body)
    if not body.strip():
        raise invalid("body", "This field may not be blank.")
    sha = body_sha256(body)
    with transaction.atomic():
        article = lock_article(article_id)
        if sha == article.content_sha256:
            raise Conflict(
                f"The body is the same as the article's current revision ({article.revision}).",
                revision=article.revision,
            )
        refuse_stored_body(sha, other_than=article.pk)
        if article.revision == 1 and not article.revisions.exists():
            revision_first(article).save()  # loaded without it (loaddata of a fixture): keep the body it had
        annotations = list(Annotation.objects.select_for_update().filter(article=article).order_by("id"))
        # Read after every lock is held: a review or edit that held an annotation commits
        # before this, so its event is earlier in the history than the re-anchoring's.
        now = timezone.now()
        number = article.revision + 1
        approved_before = {a.pk for a in annotations if a.status == Status.APPROVED}
        summary = _reanchor_annotations(article, annotations, body, number=number, actor=actor, at=now)
        revision = ArticleRevision.objects.create(
            article=article,
            number=number,
            title=title if title is not None else article.title,
            body=body,
            content_sha256=sha,
            note=note,
            created_by=actor,
            created_at=now,
            reanchoring=summary,
        )
        article.body, article.content_sha256, article.revision, article.revised_at = body, sha, number, now
        article.word_count = count_words(body)
        if title is not None:
            article.title = title
        try:
            with transaction.atomic():
                article.save(update_fields=["body", "content_sha256", "revision", "revised_at", "title", "word_count"])
        except IntegrityError:
            # Another article took this body between our check and this write (it has committed).
            refuse_stored_body(sha, other_than=article.pk)
            raise
        # Last, once the title is stored: the records carry it. Every approved annotation's
        # record changed (its revision, at least) or it left the approved set.
        publish(
            entry_for(a, was_approved=True, reason=_WITHDRAWAL.get(a.status))
            for a in annotations
            if a.pk in approved_before
        )
    return Revised(article, revision)


def _reanchor_annotations(
    article: Article, annotations: list[Annotation], new_body: str, *, number: int, actor, at
) -> dict[str, int]:
    """Place every annotation of the article on the new body; write rows and events; count outcomes."""
    live = [a for a in annotations if a.status != Status.ORPHANED]
    stored_spots = {a.pk: _spot(a) for a in live}
    placements = dict(zip(live, reanchor(article.body, new_body, [_anchor(a) for a in live]), strict=True))
    placements.update(_refound_orphans(article, new_body, [a for a in annotations if a.status == Status.ORPHANED]))
    _keep_unique(placements)

    # API.md's order, not the enumeration's.
    summary = {o.value: 0 for o in (Outcome.UNCHANGED, Outcome.MOVED, Outcome.FUZZY, Outcome.FIXED, Outcome.ORPHANED)}
    changed, events = [], []
    for annotation, placement in placements.items():
        summary[placement.outcome.value] += 1
        event = _apply(annotation, placement, new_body, number=number, actor=actor, at=at)
        if event is not None:
            events.append(event)
        if event is not None or placement.outcome == Outcome.UNCHANGED:
            changed.append(annotation)
    if changed:
        _park_occupants(changed, stored_spots)
        _write(changed)
    AnnotationEvent.objects.bulk_create(events, batch_size=1000)
    return summary


def _group(annotation: Annotation) -> tuple:
    """Annotations of one group may not share a span (the unique constraint, orphaned rows aside)."""
    return (annotation.kind, annotation.entity_type, annotation.artifact_type)


def _spot(annotation: Annotation) -> tuple:
    """What the unique constraint compares of a stored row."""
    return (*_group(annotation), annotation.start, annotation.end)


def _still_orphaned(annotation: Annotation) -> Placement:
    return Placement(annotation.pk, Outcome.ORPHANED, annotation.start, annotation.end, annotation.quote)


def _park_occupants(changed: list[Annotation], stored_spots: dict[int, tuple]) -> None:
    """Spans may trade places in one revision, and a unique index checks row by row within an
    UPDATE: a row whose stored span another row is about to take leaves the index first
    (as orphaned, which it is not in) so that the order of the rows does not matter."""
    taken = {_spot(a): a.pk for a in changed if a.status != Status.ORPHANED}
    occupants = [pk for pk, spot in stored_spots.items() if taken.get(spot, pk) != pk]
    if occupants:
        Annotation.objects.filter(pk__in=occupants).update(status=Status.ORPHANED)


def _write(changed: list[Annotation]) -> None:
    """Store the re-anchored rows: one UPDATE from arrays on PostgreSQL (Django's bulk_update
    builds a CASE per column and row: seconds for a thousand rows, BENCHMARKS.md)."""
    if connection.vendor != "postgresql":
        Annotation.objects.bulk_update(changed, _REANCHORED_FIELDS, batch_size=500)
        return
    columns = {field: Annotation._meta.get_field(field) for field in _REANCHORED_FIELDS}
    arrays = [[a.pk for a in changed]] + [[getattr(a, f.attname) for a in changed] for f in columns.values()]
    types = ["bigint"] + [f.db_type(connection).split("(")[0].replace("serial", "integer") for f in columns.values()]
    quoted = [connection.ops.quote_name(f.column) for f in columns.values()]
    table = connection.ops.quote_name(Annotation._meta.db_table)
    assignments = ", ".join(f"{column} = v.{column}" for column in quoted)
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS a SET {assignments} FROM unnest({unnest}) AS v(id, {', '.join(quoted)}) "  # noqa: S608 - model columns
            "WHERE a.id = v.id",
            arrays,
        )


def _anchor(annotation: Annotation) -> Anchor:
    return Anchor(
        key=annotation.pk,
        start=annotation.start,
        end=annotation.end,
        quote=annotation.quote,
        prefix=annotation.prefix,
        suffix=annotation.suffix,
        correction=annotation.suggested_correction if annotation.kind == Kind.TRANSLATION_ARTIFACT else "",
        group=_group(annotation),
    )


def _refound_orphans(article: Article, new_body: str, orphans: list[Annotation]) -> dict[Annotation, Placement]:
    """Orphans looked for again, each from the body of the revision it was last found in.
    One found again is fuzzy at best (it was gone: a person confirms); one still missing
    stays orphaned, with no new event."""
    if not orphans:
        return {}
    bodies = dict(
        ArticleRevision.objects.filter(article=article, number__in={o.revision for o in orphans}).values_list(
            "number", "body"
        )
    )
    found = {}
    for orphan in orphans:
        if orphan.revision not in bodies:  # that body is not kept (an article loaded from a fixture)
            found[orphan] = _still_orphaned(orphan)
            continue
        (placement,) = reanchor(bodies[orphan.revision], new_body, [_anchor(orphan)])
        if placement.outcome in (Outcome.UNCHANGED, Outcome.MOVED):
            placement = Placement(placement.key, Outcome.FUZZY, placement.start, placement.end, placement.quote)
        found[orphan] = placement
    return found


def _keep_unique(placements: dict[Annotation, Placement]) -> None:
    """An orphan found again on a span another annotation of its kind and type holds stays orphaned."""
    taken = {
        (*_group(a), p.start, p.end)
        for a, p in placements.items()
        if a.status != Status.ORPHANED and p.outcome != Outcome.ORPHANED
    }
    for annotation, placement in placements.items():
        if annotation.status == Status.ORPHANED and placement.outcome != Outcome.ORPHANED:
            spot = (*_group(annotation), placement.start, placement.end)
            if spot in taken:
                placements[annotation] = _still_orphaned(annotation)
            else:
                taken.add(spot)


def _apply(
    annotation: Annotation, placement: Placement, body: str, *, number: int, actor, at
) -> AnnotationEvent | None:
    """Set the annotation's new span and status (unsaved); return its history event, if the outcome has one."""
    outcome = placement.outcome
    if outcome == Outcome.ORPHANED and annotation.status == Status.ORPHANED:
        return None  # still not found: it keeps the revision it was last found in
    before = {"start": annotation.start, "end": annotation.end, "quote": annotation.quote}
    from_status, from_revision = annotation.status, annotation.revision
    if outcome != Outcome.ORPHANED:
        annotation.start, annotation.end, annotation.quote = placement.start, placement.end, placement.quote
        annotation.prefix, annotation.suffix = span_context(body, placement.start, placement.end)
        annotation.revision = number
    if outcome == Outcome.UNCHANGED:
        return None
    if outcome == Outcome.FIXED:
        annotation.fixed_in_revision = number
    if (status := _STATUS_AFTER.get(outcome)) is not None:
        annotation.status = status
        annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = None, None, ""
    annotation.updated_at = at
    after = {"start": placement.start, "end": placement.end, "quote": placement.quote}
    if outcome == Outcome.ORPHANED:
        after = {"start": None, "end": None, "quote": None}
    return AnnotationEvent(
        annotation=annotation,
        action=_ACTION[outcome],
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=annotation.status,
        from_revision=from_revision,
        to_revision=number,
        changes={field: {"from": before[field], "to": after[field]} for field in before},
    )
