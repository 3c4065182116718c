"""Writing the change feed: every change to the approved set, in the transaction that makes it.

The order, and why a reader never skips a change
------------------------------------------------
A change's position is its row id. Ids are handed out by a sequence before
commit, so in general a transaction that took 10 can commit after one that took
11, and a reader that saw 11 and moved past it would never see 10. Reading
only changes older than every transaction still in flight (PostgreSQL's
`pg_snapshot_xmin`) and ordering by transaction id instead does not fix the
order: a transaction takes its id at its first write, possibly before it waits
for the row lock of an annotation another transaction is approving, so two
changes to one annotation could be ordered against the order they happened in.

So the ids are taken in commit order. `publish` is the last write of every
service that changes the approved set; on PostgreSQL it first takes one
transaction-level advisory lock (FEED_LOCK), held until commit, then inserts
the rows. Whoever takes the lock next finds the previous holder committed (a
transaction is visible before its locks are released), so:

* ids are given out in commit order, and any snapshot that sees id n sees
  every committed id below n: the committed rows a reader sees are always a
  prefix of the feed (with holes only where a transaction rolled back);
* changes to one annotation are in the feed in the order they happened (they
  also hold its row lock, taken before this one);
* the cost is that the writers' last step, from the insert to the commit, is
  one at a time (BENCHMARKS.md measures it); nothing else is serialised.

SQLite has one writer at a time already, from its first write to its commit,
so its ids are in commit order with no lock (AUTOINCREMENT: ids are never
reused, even after pruning).

A reader therefore needs no more than one snapshot: changes after its cursor
up to the newest it can see (selectors/feed.py). An export reads the newest
position in the snapshot of its rows: its Copydesk-Cursor header.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations.domain.feed import ChangeType, WithdrawalReason
from annotations.domain.kinds import Kind
from annotations.domain.transitions import Status
from annotations.models import Annotation, Article, Change, FeedHorizon, WebhookDelivery
from annotations.query.records import record_of, record_rows
from annotations.services.feedlock import lock_feed
from annotations.services.quality import recount_all_errors, recount_errors

# Workers LISTEN here: a NOTIFY is sent with each batch of changes, at commit.
NOTIFY_CHANNEL = "copydesk_changes"


@dataclass(frozen=True)
class Entry:
    """A change to write: what happened to which annotation (saved, or about to be deleted)."""

    type: ChangeType
    annotation: Annotation
    reason: WithdrawalReason | None = None
    annotation_id: int = field(init=False)

    def __post_init__(self):
        # Read now: a deleted model instance forgets its id.
        object.__setattr__(self, "annotation_id", self.annotation.pk)


def entry_for(annotation: Annotation, *, was_approved: bool, reason: WithdrawalReason | None = None) -> Entry | None:
    """The feed's change for an annotation that was (or not) approved and is now as saved:
    entering the approved set, changing inside it, leaving it (for `reason`), or none."""
    approved = annotation.status == Status.APPROVED
    if approved and not was_approved:
        return Entry(ChangeType.APPROVED, annotation)
    if approved:
        return Entry(ChangeType.UPDATED, annotation)
    if was_approved:
        return Entry(ChangeType.WITHDRAWN, annotation, reason)
    return None


def entry_for_deleted(annotation: Annotation) -> Entry | None:
    """The feed's change for an annotation about to be deleted: withdrawn if it was approved."""
    if annotation.status != Status.APPROVED:
        return None
    return Entry(ChangeType.WITHDRAWN, annotation, WithdrawalReason.DELETED)


def publish(entries: Iterable[Entry | None], *, tally: bool = True) -> list[Change]:
    """Append the changes to the feed, in the caller's transaction, as its last write.

    Records are read back from the database after the caller's writes, by the export's
    own expressions, so that each is the JSONL export's line for it. One query each
    for the lock, the records, the articles and the insert, however many changes, and
    two to recount the error tallies of the articles whose artifacts changed (unless
    `tally` is off: a bulk load recounts every article once, at its end)."""
    entries = [entry for entry in entries if entry is not None]
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("publish() writes in the transaction of the change it tells of")
    lock_feed()
    with_record = [e.annotation_id for e in entries if e.type != ChangeType.WITHDRAWN]
    exported = {}
    if with_record:
        for row in record_rows(Annotation.objects.filter(pk__in=with_record)):
            record = record_of(row)
            exported[record["id"]] = record
    articles = {
        pk: (source, language)
        for pk, source, language in Article.objects.filter(
            pk__in={e.annotation.article_id for e in entries}
        ).values_list("id", "source", "language")
    }
    now = timezone.now()
    changes = [
        Change(
            type=entry.type,
            at=now,
            annotation_id=entry.annotation_id,
            article_id=entry.annotation.article_id,
            revision=entry.annotation.revision,
            kind=entry.annotation.kind,
            source=articles[entry.annotation.article_id][0],
            language=articles[entry.annotation.article_id][1],
            record=exported[entry.annotation_id] if entry.type != ChangeType.WITHDRAWN else None,
            reason=entry.reason or "",
        )
        for entry in entries
    ]
    Change.objects.bulk_create(changes, batch_size=1000)
    # The approved set changed: the articles' error tallies follow, under the same lock.
    if tally:
        recount_errors(e.annotation.article_id for e in entries if e.annotation.kind == Kind.TRANSLATION_ARTIFACT)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    return changes


def publish_approved_as_loaded(*, batch: int = 5000) -> int:
    """`annotation.approved` for each approved annotation that has no change yet: annotations
    loaded from a fixture (load_demo) or stored before the feed existed. Returns how many.
    A batch at a time (memory stays flat at a million), all in one transaction."""
    told = Change.objects.filter(annotation_id=OuterRef("pk"))
    published = 0
    with transaction.atomic():
        # The lock first: no approval can be reopened or deleted between the list and the write.
        lock_feed()
        untold = Annotation.objects.filter(status=Status.APPROVED).exclude(Exists(told)).order_by("id")
        ids = list(untold.values_list("id", flat=True))
        for start in range(0, len(ids), batch):
            chunk = Annotation.objects.filter(pk__in=ids[start : start + batch]).order_by("id")
            published += len(publish((Entry(ChangeType.APPROVED, a) for a in chunk), tally=False))
        if published:
            recount_all_errors()
    return published


def retention() -> timedelta:
    return timedelta(days=settings.CHANGES_RETENTION_DAYS)


def prune_changes(*, now=None) -> int:
    """Delete the changes older than the retention, always keeping the newest, and remember the
    last position deleted: a cursor before it is answered 410. Webhook deliveries older than
    the retention go too. Returns how many changes were deleted."""
    cutoff = (now or timezone.now()) - retention()
    with transaction.atomic():
        WebhookDelivery.objects.filter(at__lt=cutoff).delete()
        horizon, _ = FeedHorizon.objects.select_for_update().get_or_create(pk=1)
        newest = Change.objects.order_by("-id").values_list("id", flat=True).first()
        old = Change.objects.filter(at__lt=cutoff)
        if newest is not None:
            old = old.exclude(pk=newest)
        through = old.order_by("-id").values_list("id", flat=True).first()
        if through is None:
            return 0
        deleted, _ = Change.objects.filter(pk__lte=through).delete()
        horizon.pruned_through = max(horizon.pruned_through, through)
        horizon.save(update_fields=["pruned_through"])
    return deleted
