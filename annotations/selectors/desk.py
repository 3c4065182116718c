"""What the desk shows the signed-in user: on the home, the reviews waiting for them, their rejected
work with each reviewer's comment, where work is pending, what happened last and what a revision
left to re-anchor; the re-anchoring queue itself; and what a revision did to each annotation.

Five queries at most on the home however many rows: each part is one statement with its joins,
and the queues are counted only up to a cap (a COUNT of a million pending rows would cost more
than the rest of the page). The re-anchoring queue is three queries whatever its length.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from annotations.domain.roles import Role
from annotations.domain.transitions import REANCHORING_ACTIONS, HistoryAction
from annotations.models import Annotation, AnnotationEvent, Article, ArticleRevision, Status
from annotations.selectors.annotations import annotation_authors_of, review_queue
from annotations.selectors.users import user_role

QUEUE_COUNTED_UP_TO = 1000
REANCHOR_PAGE_SIZE = 50
INBOX_SIZE = 20
BUSIEST_ARTICLES = 10
ACTIVITY_SIZE = 10


@dataclass(frozen=True)
class QueueSize:
    count: int
    more: bool  # True when more than `count` are waiting (counting stopped at the cap)


@dataclass(frozen=True)
class PendingArticle:
    article_id: int
    title: str
    pending: int


@dataclass(frozen=True)
class DeskHome:
    review_queue: QueueSize | None  # None for those who do not review
    rejected: list[Annotation]  # the user's rejected annotations, newest rejection first
    pending_by_article: list[PendingArticle]  # most pending first
    activity: list[AnnotationEvent]  # the last events recorded, newest first
    to_reanchor: QueueSize  # fuzzy and orphaned annotations (for an annotator: their own)


def desk_home(user) -> DeskHome | None:
    """The home of an annotator, reviewer or admin; None for anyone else (consumers use the API)."""
    role = user_role(user)
    if role < Role.ANNOTATOR:
        return None
    return DeskHome(
        review_queue=review_queue_size(user) if role >= Role.REVIEWER else None,
        rejected=rejected_inbox(user),
        pending_by_article=pending_by_article(),
        activity=recent_activity(),
        to_reanchor=reanchor_queue_size(user),
    )


def review_queue_size(user, *, counted_up_to: int = QUEUE_COUNTED_UP_TO) -> QueueSize:
    counted = review_queue(user).order_by().values("pk")[: counted_up_to + 1].count()
    return QueueSize(count=min(counted, counted_up_to), more=counted > counted_up_to)


def rejected_inbox(user, *, size: int = INBOX_SIZE) -> list[Annotation]:
    """The user's rejected annotations (those they created, which they may edit and resubmit), the
    latest rejection first, each with its article's title and its reviewer."""
    rejected = Annotation.objects.filter(status=Status.REJECTED, created_by=user)
    rejected = rejected.select_related("article", "reviewed_by").defer("article__body")
    return list(rejected.order_by("-reviewed_at", "-id")[:size])


def pending_by_article(*, size: int = BUSIEST_ARTICLES) -> list[PendingArticle]:
    """The articles with the most pending annotations, most first (ties: the older article first)."""
    rows = (
        Annotation.objects.filter(status=Status.PENDING)
        .values("article_id", "article__title")
        .annotate(pending=Count("pk"))
        .order_by("-pending", "article_id")[:size]
    )
    return [PendingArticle(row["article_id"], row["article__title"], row["pending"]) for row in rows]


def recent_activity(*, size: int = ACTIVITY_SIZE) -> list[AnnotationEvent]:
    """The last events recorded (by id: events are only ever appended, and the id's index gives
    the newest without sorting them all), each with its actor, annotation and article's title."""
    events = AnnotationEvent.objects.select_related("actor", "annotation__article")
    events = events.defer("annotation__article__body", "annotation__prefix", "annotation__suffix")
    return list(events.order_by("-id")[:size])


# --- re-anchoring: what a revision left for a person to confirm, place again or delete ------------


@dataclass(frozen=True)
class ToReanchor:
    annotation: Annotation  # with its article (no body) and author
    event: AnnotationEvent | None  # the re-anchoring that put it here (its old and new span), the latest
    authors: set[int]  # who wrote its content: none of them may confirm it (four eyes)

    @property
    def outcome(self) -> str:
        return HistoryAction.ORPHANED if self.annotation.status == Status.ORPHANED else HistoryAction.FUZZY

    @property
    def old_quote(self) -> str:
        """The quote before the revision (the event's), or the annotation's own when no event says."""
        if self.event is not None and self.event.changes.get("quote"):
            return self.event.changes["quote"]["from"]
        return self.annotation.quote


@dataclass(frozen=True)
class ReanchorPage:
    items: list[ToReanchor]
    size: QueueSize  # all of them, counted up to the cap


def reanchor_queryset(user) -> QuerySet[Annotation]:
    """Annotations a revision could not place for certain: orphaned ones, and pending ones whose
    latest event is a fuzzy re-anchoring (once confirmed, edited or reviewed, they leave).
    Reviewers and admins see all of them; an annotator their own (which they may place or delete)."""
    latest = AnnotationEvent.objects.filter(annotation=OuterRef("pk")).order_by("-at", "-id")
    # A fuzzy event at all first (an index probe), then whether it is the latest.
    fuzzy = Exists(AnnotationEvent.objects.filter(annotation=OuterRef("pk"), action=HistoryAction.FUZZY))
    annotations = Annotation.objects.alias(last_action=Subquery(latest.values("action")[:1])).filter(
        Q(status=Status.ORPHANED) | Q(fuzzy, status=Status.PENDING, last_action=HistoryAction.FUZZY)
    )
    if user_role(user) < Role.REVIEWER:  # the role is read once a request (may_review reads permissions)
        annotations = annotations.filter(created_by=user)
    return annotations


def reanchor_queue_size(user, *, counted_up_to: int = QUEUE_COUNTED_UP_TO) -> QueueSize:
    counted = reanchor_queryset(user).order_by().values("pk")[: counted_up_to + 1].count()
    return QueueSize(count=min(counted, counted_up_to), more=counted > counted_up_to)


def reanchor_queue(user, *, page: int = 1, size: int = REANCHOR_PAGE_SIZE) -> ReanchorPage:
    """One page of the re-anchoring queue, by article (newest first) and place in its text, each
    annotation with the re-anchoring event that put it there and its authors: three queries and
    the count, however many are listed."""
    annotations = reanchor_queryset(user).select_related("article", "created_by").defer("article__body")
    offset = (max(page, 1) - 1) * size
    listed = list(annotations.order_by("-article_id", "start", "id")[offset : offset + size])
    events: dict[int, AnnotationEvent] = {}
    reanchorings = AnnotationEvent.objects.filter(
        annotation__in=[a.pk for a in listed], action__in=[HistoryAction.FUZZY, HistoryAction.ORPHANED]
    )
    for event in reanchorings.order_by("annotation_id", "at", "id"):
        events[event.annotation_id] = event  # the latest wins
    authors = annotation_authors_of(listed) if listed else {}
    items = [ToReanchor(a, events.get(a.pk), authors[a.pk]) for a in listed]
    return ReanchorPage(items=items, size=reanchor_queue_size(user))


def reanchor_item(user, annotation_id: int) -> ToReanchor | None:
    """One annotation of the user's re-anchoring queue, with its article's current body; None if
    it is not (or no longer) in the queue."""
    annotation = reanchor_queryset(user).select_related("article", "created_by").filter(pk=annotation_id).first()
    if annotation is None:
        return None
    event = (
        AnnotationEvent.objects.filter(annotation=annotation, action__in=[HistoryAction.FUZZY, HistoryAction.ORPHANED])
        .order_by("at", "id")
        .last()
    )
    return ToReanchor(annotation, event, annotation_authors_of([annotation])[annotation.pk])


@dataclass(frozen=True)
class RevisionPage:
    revision: ArticleRevision  # with its body and author
    previous_body: str | None  # revision n-1's body; None for revision 1
    outcomes: list[AnnotationEvent]  # what the revision did to each annotation it moved, fixed or lost
    unchanged: int  # the annotations it left where they were (no event)


def revision_page(article: Article, number: int) -> RevisionPage | None:
    """Revision `number` of the article, the body before it, and each annotation's outcome (from
    its history: the events that name this revision), in the order of their old spans."""
    revisions = {
        r.number: r
        for r in ArticleRevision.objects.filter(article=article, number__in=[number - 1, number]).select_related(
            "created_by"
        )
    }
    revision = revisions.get(number)
    if revision is None:
        return None
    events = AnnotationEvent.objects.filter(
        annotation__article=article, to_revision=number, action__in=REANCHORING_ACTIONS
    ).select_related("annotation", "actor")
    outcomes = sorted(events, key=lambda e: ((e.changes.get("start") or {}).get("from") or 0, e.annotation_id))
    previous = revisions.get(number - 1)
    return RevisionPage(
        revision=revision,
        previous_body=previous.body if previous is not None else None,
        outcomes=outcomes,
        unchanged=(revision.reanchoring or {}).get("unchanged", 0),
    )
