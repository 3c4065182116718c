"""What the desk's home shows the signed-in user: the reviews waiting for them, their rejected
work with each reviewer's comment, where work is pending, and what happened last.

Four queries at most however many rows: each part is one statement with its joins, and
the review queue is counted only up to a cap (a COUNT of a million pending rows would
cost more than the rest of the page).
"""

from dataclasses import dataclass

from django.db.models import Count

from annotations.domain.roles import Role
from annotations.models import Annotation, AnnotationEvent, Status
from annotations.selectors.annotations import review_queue
from annotations.selectors.users import user_role

QUEUE_COUNTED_UP_TO = 1000
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
