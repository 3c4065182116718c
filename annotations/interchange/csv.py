"""CSV (RFC 4180): a header of the record's fields, then a row per annotation."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from annotations.domain.records import END_MARKER, EXPORT_FIELDS

from .records import records
from .stream import in_pieces

# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like target for csv.writer that hands back the line just written."""

    def write(self, text: str) -> str:
        return text


def row_writer():
    """A csv writer whose writerow() returns the line. RFC 4180: CRLF line ends, fields with
    commas, quotes or line breaks quoted, quotes doubled."""
    return csv.writer(_Line(), lineterminator="\r\n")


def csv_lines(annotations: QuerySet, *, end_marker_of: int | None = None) -> Iterator[str]:
    writer = row_writer()
    yield writer.writerow(EXPORT_FIELDS)
    for record in records(annotations):
        yield writer.writerow([neutralise_formula(record[field]) for field in EXPORT_FIELDS])
    if end_marker_of is not None:
        # One cell, the record's first column: a truncated file has no such last row.
        yield writer.writerow([f"{END_MARKER}: {end_marker_of} records"])


def write_csv(annotations: QuerySet, *, total: int, end_marker: bool = False, **_context) -> Iterator[bytes]:
    return in_pieces(csv_lines(annotations, end_marker_of=total if end_marker else None))
