"""JSONL: one export record a line.

On PostgreSQL the whole file is one `COPY (SELECT <the line as JSON>) TO
STDOUT`: the database builds every line and streams it, several times faster
than formatting in Python (BENCHMARKS.md). Elsewhere the same records are
formatted in Python; tests check both give the same.
"""

import json
from collections.abc import Iterator
from itertools import chain

from django.db.models import QuerySet

from annotations.domain.records import END_MARKER
from annotations.query.records import export_select, timed_columns

from .records import records
from .stream import copy_lines, gathered, in_pieces, on_postgres


def jsonl_lines(annotations: QuerySet) -> Iterator[str]:
    for record in records(annotations):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def jsonl_lines_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """The JSONL lines, each built by PostgreSQL and streamed by one COPY, a line per block."""
    sql, params = export_select(annotations, timed_columns())
    # ROW_TO_JSON is the floor's own, fastest builder.
    return copy_lines(annotations.db, f"SELECT ROW_TO_JSON(record) FROM ({sql}) AS record", params)  # noqa: S608 - the ORM's SQL


def end_marker_line(total: int) -> str:
    """The last line of a JSONL export asked for with an end marker: a truncated file has none."""
    return json.dumps({END_MARKER: {"records": total}}) + "\n"


def write_jsonl(annotations: QuerySet, *, total: int, end_marker: bool = False, **_context) -> Iterator[bytes]:
    if on_postgres(annotations):
        pieces = gathered(jsonl_lines_postgres(annotations))
    else:
        pieces = in_pieces(jsonl_lines(annotations))
    if not end_marker:
        return pieces
    return chain(pieces, [end_marker_line(total).encode()])
