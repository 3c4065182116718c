"""The change feed: what changes the approved set, how a position in it is written, and
the webhooks' retry schedule. Plain Python; the models store it, the services write it.
"""

import random
from datetime import timedelta

from .labels import LabelledEnum


class ChangeType(LabelledEnum):
    # It entered the approved set: its record is its export record.
    APPROVED = "annotation.approved", "Approved"
    # An approved annotation whose record changed without leaving the set (a revision).
    UPDATED = "annotation.updated", "Updated"
    # It left the approved set: no record, a reason.
    WITHDRAWN = "annotation.withdrawn", "Withdrawn"


class WithdrawalReason(LabelledEnum):
    REOPENED = "reopened", "Reopened by a reviewer"
    DELETED = "deleted", "Deleted"
    FUZZY = "fuzzy", "Re-anchored approximately on a revision: to confirm again"
    ORPHANED = "orphaned", "Not found in a revision of its article"
    # Its article's source or language changed: withdrawn as filed under the old ones, then
    # approved again under the new ones, so that a follower filtering by either stays right.
    REFILED = "refiled", "Its article's source or language changed"


class BadCursor(ValueError):
    """A cursor that this feed never gave out."""


def cursor_of(sequence: int) -> str:
    """The opaque string a client holds for a position in the feed (0: before every change)."""
    return str(sequence)


def sequence_of(cursor: str) -> int:
    """The position a cursor names; BadCursor if it is not one of ours."""
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise BadCursor("Not a cursor of this feed: use a cursor, next or Copydesk-Cursor value it gave.")
    return int(cursor)


# Webhook retries: exponential from RETRY_FIRST, doubling up to RETRY_LONGEST between
# attempts, each drawn with "equal jitter" (half the bound, plus up to half again at random:
# AWS Architecture Blog, "Exponential Backoff And Jitter") so that a receiver that comes back
# is not hit by every subscription at once, yet never waits more than RETRY_LONGEST for its
# next attempt (with a one-hour cap, a receiver back after ten minutes waited eleven more:
# BENCHMARKS.md). A subscription failing longer than the horizon (a setting) is paused.
RETRY_FIRST = timedelta(seconds=5)
RETRY_LONGEST = timedelta(minutes=5)


def retry_delay(failures: int, *, draw=random.random) -> timedelta:
    """How long to wait before the next attempt after `failures` failures in a row (1 or more)."""
    bound = min(RETRY_FIRST * 2 ** min(failures - 1, 30), RETRY_LONGEST)
    return bound / 2 + bound / 2 * draw()
