"""Streaming rows out: a transaction to read in, pieces of a useful size, and COPY."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connections, transaction

CHUNK_ROWS = 2000  # rows fetched per round trip
FLUSH_BYTES = 64 * 1024  # bytes gathered before a piece is handed to the server

# COPY's text format would double every backslash in JSON. CSV with a quote and a delimiter
# that JSON built by PostgreSQL never holds raw (it escapes every control character) gives each
# line verbatim.
_COPY_VERBATIM = "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
# PostgreSQL plans a COPY for its last row, not its first (as it would a cursor). So: no sort
# where an index gives the list's order (each ordering has one), or every row would be sorted
# before the first line leaves; and parallel workers that build the lines, merged in order,
# which was faster even on two cores (BENCHMARKS.md).
_COPY_PLANNING = [
    "SET LOCAL enable_sort = off",
    "SET LOCAL parallel_setup_cost = 0",
    "SET LOCAL parallel_tuple_cost = 0.0001",
]


@contextmanager
def reading(using: str):
    """A transaction around a streamed read: outside one, PostgreSQL would run the
    whole query before the first row (a WITH HOLD cursor is materialised at once)."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling the per-row JSON expressions costs more than it saves (BENCHMARKS.md).
                cursor.execute("SET LOCAL jit = off")
        yield


def gathered(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Join small blocks into pieces of about FLUSH_BYTES."""
    pending, size = [], 0
    for block in blocks:
        pending.append(block)
        size += len(block)
        if size >= FLUSH_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def in_pieces(texts: Iterable[str]) -> Iterator[bytes]:
    """Small strings, UTF-8 encoded, in pieces of about FLUSH_BYTES."""
    return gathered(text.encode() for text in texts)


def copy_lines(using: str, select_sql: str, params) -> Iterator[bytes]:
    """The rows of a one-column SELECT (each a whole line of text) streamed by PostgreSQL's
    COPY, verbatim, a block at a time."""
    copy_sql = f"COPY ({select_sql}) TO STDOUT {_COPY_VERBATIM}"
    # psycopg binds the parameters client-side: COPY takes none from the server's protocol.
    with reading(using), connections[using].cursor() as cursor:
        for setting in _COPY_PLANNING:
            cursor.execute(setting)
        with cursor.cursor.copy(copy_sql, params) as copy:
            for block in copy:
                yield bytes(block)
