"""JSONL: one export record a line.

On PostgreSQL the whole file is one `COPY (SELECT <the line as JSON>) TO
STDOUT`: the database builds every line and streams it, several times faster
than formatting in Python (BENCHMARKS.md). Elsewhere the same records are
formatted in Python; tests check both give the same.
"""

import json
from collections.abc import Iterator
from itertools import chain

from django.db import connections
from django.db.models import QuerySet

from annotations.domain.records import DATETIME_FIELDS, END_MARKER
from annotations.query.records import IsoUtc, export_columns

from .records import records
from .stream import copy_lines, gathered, in_pieces


def jsonl_lines(annotations: QuerySet) -> Iterator[str]:
    for record in records(annotations):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def jsonl_lines_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """The JSONL lines, each built by PostgreSQL and streamed by one COPY, a line per block."""
    columns = export_columns()
    expressions = [IsoUtc(column) if name in DATETIME_FIELDS else column for name, column in columns.items()]
    connection = connections[annotations.db]
    sql, params = annotations.values_list(*expressions).query.get_compiler(connection=connection).as_sql()
    # The list's query, its columns renamed as the record's fields: the first len(columns) only
    # (a DISTINCT adds its ordering columns after them), in its order (PostgreSQL does not
    # flatten a subquery with ORDER BY). ROW_TO_JSON is the floor's own, fastest builder.
    positions = ", ".join(f"c{number}" for number in range(len(columns)))
    fields = ", ".join(f"c{number} AS {connection.ops.quote_name(name)}" for number, name in enumerate(columns))
    select = f"SELECT ROW_TO_JSON(record) FROM (SELECT {fields} FROM ({sql}) AS export({positions})) AS record"  # noqa: S608 - the ORM's SQL
    return copy_lines(annotations.db, select, params)


def end_marker_line(total: int) -> str:
    """The last line of a JSONL export asked for with an end marker: a truncated file has none."""
    return json.dumps({END_MARKER: {"records": total}}) + "\n"


def write_jsonl(annotations: QuerySet, *, total: int, end_marker: bool = False, **_context) -> Iterator[bytes]:
    if connections[annotations.db].vendor == "postgresql":
        pieces = gathered(jsonl_lines_postgres(annotations))
    else:
        pieces = in_pieces(jsonl_lines(annotations))
    if not end_marker:
        return pieces
    return chain(pieces, [end_marker_line(total).encode()])
