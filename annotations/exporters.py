"""Exports of approved annotations, as a pipeline: rows -> records -> a streamed file.

`selectors.annotations_for_export` gives the filtered, ordered queryset. Here
`export_columns` says which SQL expression gives each record field; `records`
reads the rows in chunks and adds each quote's context from the article body;
a writer streams the records as JSONL, CSV or JSON-LD in pieces of about 64 KB.
Nothing holds all rows at once.

The context is cut in Python, from a small cache of article bodies filled one
query per chunk: Python slices a str by code point in constant time, while SQL
has to walk the UTF-8 text from its start (ten times slower than the rest of
the export together, measured at a million rows).

On PostgreSQL the JSONL writer lets the database build each line (all but the
context), which is several times faster than formatting in Python; elsewhere
the same records are formatted in Python. Tests check both give the same.
"""

import csv
import itertools
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections, models, transaction
from django.db.models import F, Func, QuerySet, Value
from django.db.models.functions import NullIf

from .models import Article

CONTEXT_LENGTH = 32  # code points of article text kept before and after each quote
CHUNK_ROWS = 2000  # rows fetched per round trip
FLUSH_BYTES = 64 * 1024  # bytes gathered before a piece is handed to the server
CACHED_BODIES = 256  # article bodies kept between chunks (rows mostly come article by article)

DATETIME_FIELDS = {"created_at", "updated_at", "reviewed_at", "published_at"}
CONTEXT_FIELDS = ["prefix", "suffix"]


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
    }


DB_FIELDS = list(export_columns())
EXPORT_FIELDS = DB_FIELDS + CONTEXT_FIELDS


def iso_datetime(value: datetime | None) -> str | None:
    """The API's time format (DRF's): UTC, ISO 8601, "Z", microseconds only when not zero."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ArticleBodies:
    """A bounded cache of article bodies, filled with one query per chunk of rows."""

    def __init__(self, using: str):
        self.using = using
        self.bodies: OrderedDict[int, str] = OrderedDict()

    def load(self, article_ids: Iterable[int]) -> None:
        wanted = set(article_ids)
        for article_id in wanted & self.bodies.keys():
            self.bodies.move_to_end(article_id)
        missing = wanted - self.bodies.keys()
        if missing:
            self.bodies.update(Article.objects.using(self.using).filter(id__in=missing).values_list("id", "body"))
        # Keep this chunk's bodies whatever their number; drop the oldest beyond the bound.
        while len(self.bodies) > max(CACHED_BODIES, len(wanted)):
            self.bodies.popitem(last=False)

    def context(self, article_id: int, start: int, end: int) -> tuple[str, str]:
        body = self.bodies[article_id]
        return body[max(0, start - CONTEXT_LENGTH) : start], body[end : end + CONTEXT_LENGTH]


def _chunks(rows: Iterable) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        yield chunk


def records(annotations: QuerySet) -> Iterator[dict]:
    """One export record per annotation, read CHUNK_ROWS at a time."""
    rows = annotations.values_list(*export_columns().values()).iterator(chunk_size=CHUNK_ROWS)
    bodies = ArticleBodies(annotations.db)
    with _reading(annotations.db):
        yield from _with_context(_chunks(rows), bodies)


def _with_context(chunks: Iterable[list], bodies: ArticleBodies) -> Iterator[dict]:
    for chunk in chunks:
        bodies.load(row[1] for row in chunk)
        for row in chunk:
            record = dict(zip(DB_FIELDS, row, strict=True))
            for field in DATETIME_FIELDS:
                record[field] = iso_datetime(record[field])
            record["prefix"], record["suffix"] = bodies.context(record["article"], record["start"], record["end"])
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


def _in_pieces(texts: Iterable[str]) -> Iterator[bytes]:
    """Join small strings into pieces of about FLUSH_BYTES, UTF-8 encoded."""
    pending, size = [], 0
    for text in texts:
        pending.append(text)
        size += len(text)
        if size >= FLUSH_BYTES:
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()


# --- JSONL ---------------------------------------------------------------------------


def jsonl_lines(annotations: QuerySet) -> Iterator[str]:
    for record in records(annotations):
        yield json.dumps(record, ensure_ascii=False) + "\n"


class _JsonBuildObject(Func):
    function = "JSON_BUILD_OBJECT"
    template = "%(function)s(%(expressions)s)::text"  # the text as built, not parsed by the driver
    output_field = models.TextField()


class _IsoUtc(Func):
    """PostgreSQL's spelling of iso_datetime(): one TO_CHAR, and no fraction when it is zero."""

    template = (
        "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )
    output_field = models.TextField()


_json_string = json.encoder.encode_basestring  # JSON string literal, non-ASCII kept (C speed)


def jsonl_lines_postgres(annotations: QuerySet) -> Iterator[str]:
    """PostgreSQL builds each line but its context, which is spliced in before the closing brace.

    A server-side cursor, not COPY: the connection stays free between chunks
    for the body lookups, and PostgreSQL plans a cursor for a fast first row.
    """
    pairs = []
    for name, expression in export_columns().items():
        pairs += [Value(name), _IsoUtc(expression) if name in DATETIME_FIELDS else expression]
    query = annotations.values_list("article_id", "start", "end", _JsonBuildObject(*pairs)).query
    connection = connections[annotations.db]
    sql, params = query.get_compiler(connection=connection).as_sql()
    bodies = ArticleBodies(annotations.db)
    with _reading(annotations.db), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_ROWS):
            bodies.load(row[0] for row in chunk)
            for article_id, start, end, line, *_ordering_columns in chunk:
                prefix, suffix = bodies.context(article_id, start, end)
                yield f'{line[:-1]}, "prefix" : {_json_string(prefix)}, "suffix" : {_json_string(suffix)}}}\n'


def write_jsonl(annotations: QuerySet, **_context) -> Iterator[bytes]:
    if connections[annotations.db].vendor == "postgresql":
        return _in_pieces(jsonl_lines_postgres(annotations))
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
