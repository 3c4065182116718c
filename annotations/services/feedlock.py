"""The feed's lock: the one lock that orders the writers of the approved set's derived rows
(the change feed's ids, services/feed.py; the error tallies, services/quality.py)."""

import zlib

from django.db import connection

# A constant 64-bit advisory lock key of our own.
FEED_LOCK = zlib.crc32(b"copydesk.change_feed")


def lock_feed() -> None:
    """Take the feed's lock until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
