"""Reading the change feed: a page of changes after a cursor, and the feed's newest position.

services/feed.py explains why one snapshot is all a reader needs: the changes it
can see are always a prefix of the feed.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from annotations.domain.errors import Gone, invalid
from annotations.domain.feed import BadCursor, cursor_of, sequence_of
from annotations.domain.records import EXPORT_FIELDS, api_datetime
from annotations.filters import ChangeFilter, filtered
from annotations.models import Change, FeedHorizon
from annotations.query.snapshot import one_snapshot

LIMIT_DEFAULT, LIMIT_MAX = 100, 1000
EXPORT_AGAIN = "Export again (its Copydesk-Cursor header gives the position to follow from)."


@dataclass(frozen=True)
class FeedPage:
    changes: list[Change]
    next: str
    has_more: bool


def _bounds() -> tuple[int, int]:
    """The last position pruned away and the newest change's (0 for none), in one query."""
    changes, horizon = (connection.ops.quote_name(m._meta.db_table) for m in (Change, FeedHorizon))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE((SELECT pruned_through FROM {horizon} WHERE id = 1), 0), "  # noqa: S608 - table names
            f"COALESCE((SELECT MAX(id) FROM {changes}), 0)"
        )
        pruned, newest = cursor.fetchone()
    return pruned, newest


def feed_head() -> int:
    """The newest position this snapshot sees (what an export taken in it is consistent with)."""
    return max(_bounds())


def filtered_changes(filters: Mapping) -> QuerySet[Change]:
    """The changes that match the feed's filters (a dict of a value or a list of values each)."""
    data = {
        name: [str(v) for v in (values if isinstance(values, list) else [values])] for name, values in filters.items()
    }
    return filtered(ChangeFilter(data, queryset=Change.objects.all()))


def parse_limit(value: str | None) -> int:
    if value in (None, ""):
        return LIMIT_DEFAULT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= LIMIT_MAX:
        raise invalid("limit", f"A whole number from 1 to {LIMIT_MAX}.")
    return int(value)


def parse_after(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return sequence_of(value)
    except BadCursor as exc:
        raise invalid("after", str(exc)) from None


def check_cursor(after: int | None) -> int:
    """Gone (410) if the feed cannot go on from position `after`: older than what is kept, or ahead
    of the feed (a database restored from a backup older than the client's mirror). Returns the
    feed's newest position (read in the caller's snapshot, if any)."""
    horizon, newest = _bounds()
    head = max(horizon, newest)
    if after is not None and after < horizon:
        raise Gone(f"Changes up to {cursor_of(horizon)} are no longer kept. {EXPORT_AGAIN}")
    if after is not None and after > head:
        raise Gone(f"This cursor is ahead of the feed, whose newest change is {cursor_of(head)}. {EXPORT_AGAIN}")
    return head


def changes_after(*, after: int | None, limit: int, filters: Mapping, types=()) -> FeedPage:
    """The first `limit` changes after position `after` (None: from the oldest kept) that match
    `filters` (and `types`, if any), and the cursor to read on from; check_cursor's 410s."""
    changes = filtered_changes(filters)
    if types:
        changes = changes.filter(type__in=types)
    with one_snapshot():
        head = check_cursor(after)
        page = list(changes.filter(id__gt=after or 0).order_by("id")[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    # With more to come, read on from the last one given; otherwise from the newest position
    # seen, past changes the filters left out, so that a filtered reader does not scan them again.
    position = page[-1].id if has_more else head
    return FeedPage(changes=page, next=cursor_of(position), has_more=has_more)


def change_payload(change: Change) -> dict:
    """A change as the feed's clients get it, through the API and in a webhook delivery."""
    return {
        "cursor": cursor_of(change.id),
        "type": change.type,
        "at": api_datetime(change.at),
        "annotation_id": change.annotation_id,
        "article_id": change.article_id,
        "revision": change.revision,
        "record": _in_export_order(change.record),
        "reason": change.reason or None,
    }


def _in_export_order(record: dict | None) -> dict | None:
    """The record's fields in the export's order (PostgreSQL's jsonb keeps its keys sorted its own way)."""
    if record is None:
        return None
    return {**{name: record[name] for name in EXPORT_FIELDS if name in record}, **record}
