"""Streaming rows out: a transaction to read in, pieces of a useful size, and COPY."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from annotations.domain.feed import cursor_of
from annotations.query.snapshot import one_snapshot
from annotations.selectors.feed import feed_head

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
    whole query before the first row (a WITH HOLD cursor is materialised at once).

    The outermost one reads one snapshot (REPEATABLE READ on PostgreSQL; SQLite's
    transactions already do), so that an export's count and its rows agree. Inside
    another, it adds nothing: the writers open one whether or not counted_export did."""
    connection = connections[using]
    if getattr(connection, "_copydesk_reading", False):
        yield
        return
    with one_snapshot(using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling the per-row JSON expressions costs more than it saves (BENCHMARKS.md);
                # an export streams as long as its client reads: no statement timeout for it.
                cursor.execute("SET LOCAL jit = off; SET LOCAL statement_timeout = 0")
        connection._copydesk_reading = True
        try:
            yield
        finally:
            connection._copydesk_reading = False


@dataclass(frozen=True)
class ExportHead:
    """What an export says before its file: how many records, and the change feed's
    position it is consistent with (its Copydesk-Cursor header)."""

    total: int
    cursor: str


def counted_export(annotations: QuerySet, write: Callable[..., Iterator[bytes]], **context) -> Iterator:
    """An ExportHead first, then the pieces of the file `write` makes of the annotations:
    all read in one snapshot, so the count is the file's and the file is the approved set as
    of the feed's position. Draw the head before handing the rest on: the snapshot lasts
    until the file is done."""
    with reading(annotations.db):
        total = annotations.count()
        yield ExportHead(total=total, cursor=cursor_of(feed_head()))
        yield from write(annotations, total=total, **context)


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


def on_postgres(annotations: QuerySet) -> bool:
    """Whether the export's database builds its files (COPY), or Python does."""
    return connections[annotations.db].vendor == "postgresql"


@contextmanager
def _copy_out(using: str, copy_sql: str, params):
    """A COPY ... TO STDOUT under the export's transaction and planner settings."""
    # psycopg binds the parameters client-side: COPY takes none from the server's protocol.
    with reading(using), connections[using].cursor() as cursor:
        for setting in _COPY_PLANNING:
            cursor.execute(setting)
        with cursor.cursor.copy(copy_sql, params) as copy:
            yield copy


def copy_lines(using: str, select_sql: str, params, *, options: str = _COPY_VERBATIM) -> Iterator[bytes]:
    """The rows of a one-column SELECT (each a whole line of text) streamed by PostgreSQL's
    COPY, verbatim, a block (a row: PostgreSQL sends one a message) at a time; or with other
    COPY `options`, the rows as COPY writes them."""
    with _copy_out(using, f"COPY ({select_sql}) TO STDOUT {options}", params) as copy:
        for block in copy:
            yield bytes(block)


def copy_rows(using: str, select_sql: str, params, types: list[str]) -> Iterator[tuple]:
    """The rows of a SELECT streamed by PostgreSQL's COPY in its binary format, each a tuple of
    its columns loaded as `types` (PostgreSQL type names): for columns whose text holds line
    breaks, which a line-per-row format would have to quote. A `text` column read as `bytea`
    comes as its UTF-8 bytes (both send their bytes as they are), not decoded to be encoded again."""
    with _copy_out(using, f"COPY ({select_sql}) TO STDOUT (FORMAT binary)", params) as copy:
        copy.set_types(types)
        yield from copy.rows()


def json_items(lines: Iterable[bytes], *, first: bytes = b"") -> Iterator[bytes]:
    """copy_lines()'s lines, each a JSON value and its line break, as a JSON list's items: each
    line's break (the block's last byte) becomes the separator before the next (`first` before
    the first, if there is one)."""
    separator = first
    for line in lines:
        yield separator + line[:-1]
        separator = b",\n"
