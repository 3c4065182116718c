"""Date windows on a list ordered by time: walk the order's index, or read the window and sort?

Ids, creation and review times grow together, and the planner cannot know it:
asked for a late month in id order, it walks the ids from the first, expecting
the month to be spread over all of them (BENCHMARKS.md). So this weighs, by
the planner's own estimates, the rows such a walk passes before it reaches the
window against the rows in the window, and the list takes the cheaper.
"""

from datetime import datetime

from django.db import connections
from django.db.models import Q, QuerySet

from .planner import estimated_rows, not_from_an_index

# Orders that follow time: ids are handed out as annotations are made, and reviews come after.
TIME_ORDERED = {"id", "created_at", "reviewed_at"}

# column -> (lower bound inclusive, upper bound exclusive), either None when open.
Windows = dict[str, tuple[datetime | None, datetime | None]]


def in_window(column: str, bounds: tuple[datetime | None, datetime | None]) -> Q:
    """The rows inside the window on column."""
    after, before = bounds
    window = Q()
    if after is not None:
        window &= Q(**{f"{column}__gte": after})
    if before is not None:
        window &= Q(**{f"{column}__lt": before})
    return window


def _before_window(column: str, bounds, *, descending: bool) -> Q:
    """The rows a walk in this direction passes before the window; nothing if it is open that way."""
    after, before = bounds
    if not descending and after is not None:
        return Q(**{f"{column}__lt": after})
    if descending and before is not None:
        return Q(**{f"{column}__gte": before})
    return Q()


def window_order(queryset: QuerySet, *, base: QuerySet, windows: Windows) -> QuerySet:
    """The filtered, ordered queryset in the same order, sorted from the windows' rows when
    walking the order's index would pass more rows than the windows hold (PostgreSQL only).

    `base` is the queryset before the list's filters (what the user may see)."""
    first_key, *other_keys = queryset.query.order_by
    column, descending = first_key.removeprefix("-"), first_key.startswith("-")
    if column not in TIME_ORDERED or connections[base.db].vendor != "postgresql":
        return queryset
    passed_first = Q()
    for window_column, bounds in windows.items():
        if window_column != column:
            passed_first |= _before_window(window_column, bounds, descending=descending)
    if not passed_first:
        return queryset
    everything_in_windows = Q()
    for window_column, bounds in windows.items():
        everything_in_windows &= in_window(window_column, bounds)
    own_window = in_window(column, windows.get(column, (None, None)))
    walked, in_windows = estimated_rows(base.filter(own_window & passed_first), base.filter(everything_in_windows))
    if walked > in_windows:
        return queryset.order_by(not_from_an_index(first_key), *other_keys)
    return queryset
