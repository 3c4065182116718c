"""CSV (RFC 4180): a header of the record's fields, then a row per annotation.

On PostgreSQL the rows are written by COPY's own CSV writer (`COPY (SELECT <the record's cells
as text>) TO STDOUT WITH (FORMAT csv, HEADER)`), formulas neutralised in the SELECT; elsewhere
by Python's csv module from the records. Tests hold the two to the same bytes.
"""

import csv
from collections.abc import Iterable, Iterator
from itertools import chain

from django.db import models
from django.db.models import Func, QuerySet, Value
from django.db.models.functions import NullIf

from annotations.domain.records import END_MARKER, EXPORT_FIELDS
from annotations.query.records import export_select, text_columns

from .records import records
from .stream import copy_lines, gathered, in_pieces, on_postgres

# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What spreadsheets read as "this file is UTF-8" (Excel takes it for its ANSI code page otherwise).
UTF8_BOM = "\ufeff".encode()


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class Neutralised(Func):
    """neutralise_formula() in SQL, from the same starts."""

    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        starts = ", ".join(["%s"] * len(_FORMULA_STARTS))
        neutralised = f"CASE WHEN LEFT({sql}, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"
        return neutralised, (*params, *_FORMULA_STARTS, *params, *params)


def _text_cell(column: models.Expression) -> models.Expression:
    # COPY writes NULL as an empty cell and '' as "": Python's writer writes both empty.
    return NullIf(Neutralised(column), Value(""), output_field=models.TextField())


class _Line:
    """A file-like target for csv.writer that hands back the line just written."""

    def write(self, text: str) -> str:
        return text


def row_writer():
    """A csv writer whose writerow() returns the line. RFC 4180: CRLF line ends, fields with
    commas, quotes or line breaks quoted, quotes doubled."""
    return csv.writer(_Line(), lineterminator="\r\n")


def csv_lines(annotations: QuerySet) -> Iterator[str]:
    """The header and a line per record, written by Python's csv module."""
    writer = row_writer()
    yield writer.writerow(EXPORT_FIELDS)
    for record in records(annotations):
        yield writer.writerow([neutralise_formula(record[field]) for field in EXPORT_FIELDS])


def csv_lines_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """The same lines written by PostgreSQL's COPY, its header the SELECT's column names."""
    sql, params = export_select(annotations, text_columns(annotations, text=_text_cell))
    return crlf_rows(copy_lines(annotations.db, sql, params, options="WITH (FORMAT csv, HEADER true)"))


def crlf_rows(rows: Iterable[bytes]) -> Iterator[bytes]:
    """COPY's rows with RFC 4180's CRLF for its LF record ends. COPY sends one row per message
    (PostgreSQL's protocol: "always one per row"), so each row's last byte is its end, and a line
    break in a quoted cell, before it, stays as it was."""
    for row in rows:
        yield row[:-1] + b"\r\n"


def end_marker_line(total: int) -> str:
    """One cell, the record's first column: a truncated file has no such last row."""
    return row_writer().writerow([f"{END_MARKER}: {total} records"])


def for_spreadsheets(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """A CSV file as spreadsheets open it right: a UTF-8 BOM first. The rest is RFC 4180 already:
    CRLF record ends, and line breaks in a cell kept, inside its quotes."""
    return chain([UTF8_BOM], pieces)


def write_csv(
    annotations: QuerySet, *, total: int, end_marker: bool = False, spreadsheet: bool = False, **_context
) -> Iterator[bytes]:
    if on_postgres(annotations):
        pieces = gathered(csv_lines_postgres(annotations))
    else:
        pieces = in_pieces(csv_lines(annotations))
    if end_marker:
        pieces = chain(pieces, [end_marker_line(total).encode()])
    return for_spreadsheets(pieces) if spreadsheet else pieces
