"""Exports of approved annotations, as a pipeline: rows -> records -> a streamed file.

`selectors.annotations_for_export` gives the filtered, ordered queryset. Here
`export_columns` says which SQL expression gives each record field; `records`
reads the rows in chunks; a writer streams the records as JSONL, CSV or
JSON-LD in pieces of about 64 KB. Nothing holds all rows at once.

Each record's context (`prefix`, `suffix`) is read from the annotation's own
columns, which the services fill when the span is set (see services.span_context).

On PostgreSQL the JSONL export is one `COPY (SELECT <the line as JSON>) TO
STDOUT`: the database builds every line and streams it, several times faster
than formatting in Python. Elsewhere the same records are formatted in Python.
Tests check both give the same.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, models, transaction
from django.db.models import F, Func, QuerySet, Value
from django.db.models.functions import NullIf

from .serializers import api_datetime

CHUNK_ROWS = 2000  # rows fetched per round trip
FLUSH_BYTES = 64 * 1024  # bytes gathered before a piece is handed to the server

DATETIME_FIELDS = {"created_at", "updated_at", "reviewed_at", "published_at"}


def export_columns() -> dict[str, models.Expression]:
    """Each record field read from the database (in output order) and its SQL expression."""
    return {
        "id": F("id"),
        "article": F("article_id"),
        "kind": F("kind"),
        "start": F("start"),
        "end": F("end"),
        "quote": F("quote"),
        # '' means "none" in the table (see models.py); clients get null.
        "entity_type": NullIf(F("entity_type"), Value("")),
        "artifact_type": NullIf(F("artifact_type"), Value("")),
        "suggested_correction": F("suggested_correction"),
        "claimant": F("claimant"),
        "note": F("note"),
        "status": F("status"),
        "created_by": F("created_by__username"),
        "created_at": F("created_at"),
        "updated_at": F("updated_at"),
        "reviewed_by": F("reviewed_by__username"),
        "reviewed_at": F("reviewed_at"),
        "review_comment": F("review_comment"),
        "article_title": F("article__title"),
        "source": F("article__source"),
        "url": F("article__url"),
        "published_at": F("article__published_at"),
        "prefix": F("prefix"),
        "suffix": F("suffix"),
    }


EXPORT_FIELDS = list(export_columns())


def records(annotations: QuerySet) -> Iterator[dict]:
    """One export record per annotation, read CHUNK_ROWS at a time."""
    rows = annotations.values_list(*export_columns().values()).iterator(chunk_size=CHUNK_ROWS)
    with _reading(annotations.db):
        for row in rows:
            record = dict(zip(EXPORT_FIELDS, row, strict=True))
            for field in DATETIME_FIELDS:
                record[field] = api_datetime(record[field])
            yield record


@contextmanager
def _reading(using: str):
    """A transaction around a streamed read: outside one, PostgreSQL would run the
    whole query before the first row (a WITH HOLD cursor is materialised at once)."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling the per-row JSON expressions costs more than it saves
                # (measured: many times slower at a million rows).
                cursor.execute("SET LOCAL jit = off")
        yield


def _gathered(blocks: Iterable[bytes]) -> Iterator[bytes]:
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


def _in_pieces(texts: Iterable[str]) -> Iterator[bytes]:
    """Small strings, UTF-8 encoded, in pieces of about FLUSH_BYTES."""
    return _gathered(text.encode() for text in texts)


# --- JSONL ---------------------------------------------------------------------------


def jsonl_lines(annotations: QuerySet) -> Iterator[str]:
    for record in records(annotations):
        yield json.dumps(record, ensure_ascii=False) + "\n"


class _IsoUtc(Func):
    """PostgreSQL's spelling of api_datetime(): one TO_CHAR, and no fraction when it is zero."""

    template = (
        "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )
    output_field = models.TextField()


# COPY's text format would double every backslash in the JSON. CSV with a quote and a delimiter
# that JSON built by PostgreSQL never holds raw (it escapes every control character) gives each
# line verbatim.
_COPY_VERBATIM = "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
# PostgreSQL plans a COPY for its last row, not its first (as it would a cursor). So: no sort
# where an index gives the list's order (each ordering has one), or every row would be sorted
# before the first line leaves (11 s at a million rows); and parallel workers that build the
# lines, merged in order, which was faster even on two cores (BENCHMARKS.md).
_COPY_PLANNING = [
    "SET LOCAL enable_sort = off",
    "SET LOCAL parallel_setup_cost = 0",
    "SET LOCAL parallel_tuple_cost = 0.0001",
]


def jsonl_lines_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """The JSONL lines, each built by PostgreSQL and streamed by one COPY, a line per block."""
    columns = export_columns()
    expressions = [_IsoUtc(column) if name in DATETIME_FIELDS else column for name, column in columns.items()]
    connection = connections[annotations.db]
    sql, params = annotations.values_list(*expressions).query.get_compiler(connection=connection).as_sql()
    # The list's query, its columns renamed as the record's fields: the first len(columns) only
    # (a DISTINCT adds its ordering columns after them), in its order (PostgreSQL does not
    # flatten a subquery with ORDER BY). ROW_TO_JSON is the floor's own, fastest builder.
    positions = ", ".join(f"c{number}" for number in range(len(columns)))
    fields = ", ".join(f"c{number} AS {connection.ops.quote_name(name)}" for number, name in enumerate(columns))
    copy_sql = (
        f"COPY (SELECT ROW_TO_JSON(record) FROM (SELECT {fields} FROM ({sql}) AS export({positions})) AS record) "  # noqa: S608 - the ORM's SQL
        f"TO STDOUT {_COPY_VERBATIM}"
    )
    # psycopg binds the parameters client-side: COPY takes none from the server's protocol.
    with _reading(annotations.db), connection.cursor() as cursor:
        for setting in _COPY_PLANNING:
            cursor.execute(setting)
        with cursor.cursor.copy(copy_sql, params) as copy:
            for block in copy:
                yield bytes(block)


def write_jsonl(annotations: QuerySet, **_context) -> Iterator[bytes]:
    if connections[annotations.db].vendor == "postgresql":
        return _gathered(jsonl_lines_postgres(annotations))
    return _in_pieces(jsonl_lines(annotations))


# --- CSV -----------------------------------------------------------------------------

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


def csv_lines(annotations: QuerySet) -> Iterator[str]:
    # RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted, quotes doubled.
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(EXPORT_FIELDS)
    for record in records(annotations):
        yield writer.writerow([neutralise_formula(record[field]) for field in EXPORT_FIELDS])


def write_csv(annotations: QuerySet, **_context) -> Iterator[bytes]:
    return _in_pieces(csv_lines(annotations))


# --- JSON-LD (W3C Web Annotation) ----------------------------------------------------

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


@dataclass(frozen=True)
class Iris:
    """Absolute IRIs for the collection, annotations and articles of one export."""

    collection: str
    annotations: str  # the annotation list's IRI; an annotation's is this + "{id}/"
    articles: str


def web_annotation(record: dict, iris: Iris) -> dict:
    """An export record as a W3C Web Annotation: kind and type as tags, note and
    correction as bodies of their own purpose, the span as quote and position."""
    bodies = [{"type": "TextualBody", "purpose": "tagging", "value": record["kind"]}]
    for type_field in ("entity_type", "artifact_type"):
        if record[type_field]:
            bodies.append({"type": "TextualBody", "purpose": "tagging", "value": record[type_field]})
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"]})
    if record["suggested_correction"]:
        bodies.append({"type": "TextualBody", "purpose": "editing", "value": record["suggested_correction"]})
    quote = {"type": "TextQuoteSelector", "exact": record["quote"]}
    # prefix and suffix are left out, not empty, at the very start or end of the body.
    quote.update({key: record[key] for key in ("prefix", "suffix") if record[key]})
    return {
        "id": f"{iris.annotations}{record['id']}/",
        "type": "Annotation",
        "motivation": "tagging",
        "created": record["created_at"],
        "modified": record["updated_at"],
        "creator": {"type": "Person", "nickname": record["created_by"]},
        "body": bodies,
        "target": {
            "source": f"{iris.articles}{record['article']}/",
            "selector": [quote, {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]}],
        },
    }


def jsonld_texts(annotations: QuerySet, iris: Iris) -> Iterator[str]:
    """One AnnotationCollection with every annotation in its `first` (and only) page."""
    total = annotations.count()
    head = {
        "@context": ANNO_CONTEXT,
        "id": iris.collection,
        "type": "AnnotationCollection",
        "label": "Approved annotations",
        "total": total,
        "first": {"id": f"{iris.collection}#page-1", "type": "AnnotationPage", "startIndex": 0},
    }
    opening = json.dumps(head, ensure_ascii=False)
    yield opening[:-2] + ', "items": [\n'  # opens first.items: ...}} -> ..., "items": [
    separator = ""
    for record in records(annotations):
        yield separator + json.dumps(web_annotation(record, iris), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}}\n"


def write_jsonld(annotations: QuerySet, *, iris: Iris, **_context) -> Iterator[bytes]:
    return _in_pieces(jsonld_texts(annotations, iris))


# --- formats ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    write: Callable[..., Iterator[bytes]]

    @property
    def filename(self) -> str:
        return f"annotations.{self.name}"


FORMATS = {
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", write_jsonl),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8; header=present", write_csv),
    "jsonld": ExportFormat("jsonld", f'application/ld+json; profile="{ANNO_CONTEXT}"', write_jsonld),
}
