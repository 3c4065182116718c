"""Storing a file of annotations made elsewhere: all of it, pending, or none of it.

Each span's article is found by url, else by the hash of the text the file
carries, else created from that text; a url whose stored body is not the
file's text is refused (the offsets would point into another text). Every
span is checked against its article's body (offsets in range, the quote the
file gives equal to the text there), its label mapped to a kind and type and
those checked as the API checks them; every reason is collected, each naming
its record, and the file is refused whole if there is any.

Fast, and flat in memory, because nothing per record is held in Python: each
checked span becomes a row of a temporary table (PostgreSQL's COPY, fed while
Python reads on; batched INSERTs on SQLite), and the annotations and their
`created` events are made from it by one INSERT ... SELECT each, in the
file's transaction. Duplicates (in the file, or of what is stored) are found
by the database's own unique index; only when it refuses are they looked up
in the table, to name their records.
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import NamedTuple

from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from annotations.domain.articles import body_sha256, normalize_body
from annotations.domain.errors import DomainError
from annotations.domain.imports import ImportedSpan, ImportFailed, SourceArticle
from annotations.domain.kinds import ArtifactType, EntityType, Kind, check_kind_fields, kind_field_values
from annotations.domain.label_mapping import fields_for
from annotations.domain.origins import check_origin_fields
from annotations.domain.roles import Role
from annotations.domain.spans import span_context
from annotations.domain.transitions import HistoryAction, Status
from annotations.models import (
    UNIQUE_SPAN,
    Annotation,
    AnnotationEvent,
    AnnotationImport,
    Article,
    ImportState,
)
from annotations.services.annotations import event_for
from annotations.services.articles import article_create
from annotations.services.users import require_role

BATCH = 2000  # rows per INSERT where there is no COPY (SQLite)
READ_AHEAD = 5000  # spans read from the file between two COPYs (the reader may query in between)
MAX_ERRORS = 50  # reasons collected before giving up on a file
ARTICLES_KEPT = 2000  # articles (with their bodies) kept at hand between records
PROGRESS_SECONDS = 0.5  # how often progress is reported while a file is read
_TITLE_LENGTH = 80  # of a title made from the text's first line
_TITLE_LIMIT, _SOURCE_LIMIT, _URL_LENGTH = 500, 200, 2000  # the article's columns

# The annotation's columns each record gives (in the staging table's order); every other column
# takes the value a new pending annotation by the importer has (_Constants, in _Staging.store).
STAGED = (
    "article_id",
    "kind",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "entity_type",
    "artifact_type",
    "suggested_correction",
    "severity",
    "claimant",
    "rating",
    "rating_explanation",
    "claim_date",
    "note",
    "origin",
    "model",
    "confidence",
    "revision",
)
_KEY = tuple("article_id" if field == "article" else field for field in UNIQUE_SPAN)


@dataclass(frozen=True)
class ImportResult:
    articles_created: int
    annotations_created: int
    records_read: int = 0


@dataclass(frozen=True)
class Progress:
    records: int  # records read so far
    stage: str  # "reading", then "storing" once the file is read


def annotations_import(
    *,
    actor,
    spans: Iterable[ImportedSpan],
    mapping: dict | None = None,
    name: str = "",
    progress: Callable[[Progress], None] | None = None,
) -> ImportResult:
    """Store the spans of one file, all or nothing; ImportFailed names every record refused."""
    require_role(actor, Role.ANNOTATOR, "import annotations")
    mapping = mapping or {}
    report = _Reporter(progress)
    with transaction.atomic():
        staging = _Staging.create()
        articles = _Articles(actor, name, before_query=staging.pause)
        errors: list[tuple[float, str]] = []  # (the record's place in the file, the reason)
        count = 0
        try:
            read = _reading(spans, errors)
            # A reader may query the database as it reads (to find articles), which it cannot
            # while a COPY holds the connection: spans are read a batch at a time, between COPYs.
            while len(errors) < MAX_ERRORS and (batch := list(islice(read, READ_AHEAD))):
                for span in batch:
                    count += 1
                    try:
                        if span.error:
                            raise ValueError(span.error)
                        staging.add(count, span.record, _row(span, articles.of(span.article), mapping))
                    except (ValueError, KeyError, TypeError, DomainError) as error:
                        errors.append((count, f"{span.record}: {_reason(error)}"))
                        if len(errors) >= MAX_ERRORS:
                            break
                    report.now_and_then(count)
                staging.pause()
        except BaseException as error:
            staging.pause(error)  # a COPY under way is abandoned, and the transaction with it
            raise
        report(Progress(count, "storing"))
        if errors:
            raise ImportFailed(_first(errors + staging.duplicates()))
        try:
            with transaction.atomic():
                created = staging.store(actor, timezone.now())
        except IntegrityError:
            duplicates = staging.duplicates()
            if duplicates:
                raise ImportFailed(_first(duplicates)) from None
            raise
        staging.drop()
    return ImportResult(articles_created=articles.created, annotations_created=created, records_read=count)


def _first(errors: list[tuple[float, str]]) -> list[str]:
    return [reason for _, reason in sorted(errors, key=lambda error: error[0])[:MAX_ERRORS]]


def _reading(spans: Iterable[ImportedSpan], errors: list[tuple[float, str]]):
    """The spans as the reader gives them; a record it cannot read at all ends the file, its
    reason joining those found before it."""
    try:
        yield from spans
    except ImportFailed as failure:
        errors.extend((float("inf"), reason) for reason in failure.errors)


class _Reporter:
    """Progress passed on at most every PROGRESS_SECONDS (a clock reading per 1,000 records)."""

    def __init__(self, progress):
        self.progress, self.last = progress, time.monotonic()

    def now_and_then(self, count: int) -> None:
        if self.progress and count % 1000 == 0 and time.monotonic() - self.last >= PROGRESS_SECONDS:
            self(Progress(count, "reading"))

    def __call__(self, progress: Progress) -> None:
        if self.progress:
            self.progress(progress)
            self.last = time.monotonic()


class _Articles:
    """The file's articles, found or created once each; the last ARTICLES_KEPT used are kept
    (memory stays flat for a file of a million articles: one dropped is found again)."""

    def __init__(self, actor, name: str, before_query: Callable[[], None]):
        self.actor, self.name, self.created = actor, name, 0
        self.before_query = before_query
        self._kept: OrderedDict[SourceArticle, Article] = OrderedDict()

    def of(self, source: SourceArticle) -> Article:
        # A reader gives a record's spans one SourceArticle: its text is normalised and hashed
        # once, not once per span.
        article = self._kept.get(source)
        if article is not None:
            self._kept.move_to_end(source)
            return article
        self.before_query()
        article = self._kept[source] = self._find(source)
        if len(self._kept) > ARTICLES_KEPT:
            self._kept.popitem(last=False)
        return article

    def _find(self, source: SourceArticle) -> Article:
        text = normalize_body(source.text) if source.text is not None else None
        if len(source.url) > _URL_LENGTH:
            raise ValueError(f"the url is longer than {_URL_LENGTH} characters")
        if source.url:
            article = Article.objects.filter(url=source.url).order_by("-id").first()
            if article is not None:
                if text is not None and body_sha256(text) != article.content_sha256:
                    raise ValueError(
                        f"the article at {source.url} (id {article.pk}) has another text (revision "
                        f"{article.revision}): the offsets would point into the wrong text"
                    )
                return article
        if text is None:
            raise ValueError(
                f"no article has the url {source.url!r}, and the file has no text to create it from"
                if source.url
                else "the record names no url, and the file has no text to find its article by"
            )
        article = Article.objects.filter(content_sha256=body_sha256(text)).first()
        if article is not None:
            return article
        self.created += 1
        first_line = text.strip().splitlines()[0][:_TITLE_LENGTH] if text.strip() else ""
        return article_create(
            actor=self.actor,
            title=(source.title or first_line or self.name or "Imported article")[:_TITLE_LIMIT],
            body=text,
            source=source.source[:_SOURCE_LIMIT],
            url=source.url,
            language=source.language or "en",
            published_at=source.published_at,
            imported_from=self.name or None,
        )


def _row(span: ImportedSpan, article: Article, mapping: dict) -> tuple:
    """The span checked as the API checks a new annotation, as a row of STAGED's columns."""
    body = article.body
    if not 0 <= span.start < span.end <= len(body):
        raise ValueError(f"the span {span.start}-{span.end} is not inside the text ({len(body)} code points)")
    quote = body[span.start : span.end]
    if span.quote is not None and span.quote != quote:
        raise ValueError(f"the file's text {span.quote!r} is not what the article has there ({quote!r})")
    given = dict(span.fields) if span.fields else fields_for(span.label or "", mapping)
    kind = given.pop("kind", None)
    if kind not in _KINDS:
        raise ValueError(f"{kind!r} is not a kind: one of {', '.join(_KINDS)}")
    note = given.pop("note", "") or ""
    _check_values({**given, "note": note, "model": span.model})
    check_kind_fields(kind, given)
    check_origin_fields(span.origin, span.model, span.confidence)
    prefix, suffix = span_context(body, span.start, span.end)
    row = {
        **kind_field_values(kind, given),
        "article_id": article.pk,
        "kind": kind,
        "start": span.start,
        "end": span.end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "note": note,
        "origin": span.origin,
        "model": span.model,
        "confidence": span.confidence,
        "revision": article.revision,
    }
    if isinstance(row["claim_date"], str):
        row["claim_date"] = date.fromisoformat(row["claim_date"])
    return tuple(row[column] for column in STAGED)


_KINDS = tuple(kind.value for kind in Kind)
# What the API's serializer checks of each field's value (annotations/inputs.py), that the
# database would otherwise refuse at the insert, or store wrong.
_CHOICES = {"entity_type": [m.value for m in EntityType], "artifact_type": [m.value for m in ArtifactType]}
# The longest text each column takes; a choice is checked as one, above or by kind.
_LONGEST = {
    field.name: field.max_length
    for field in Annotation._meta.concrete_fields
    if field.max_length and not field.choices and not field.is_relation
}


def _check_values(values: dict) -> None:
    for name, value in values.items():
        if value is None or value == "":
            continue
        if name == "claim_date":
            if not isinstance(value, date):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    raise ValueError(f"claim_date {value!r} is not a date (YYYY-MM-DD)") from None
            continue
        if not isinstance(value, str):
            raise ValueError(f"{name} {value!r} is not text")
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError(f"{value!r} is not an {name}: one of {', '.join(_CHOICES[name])}")
        longest = _LONGEST.get(name)
        if longest and len(value) > longest:
            raise ValueError(f"{name} is longer than {longest} characters")


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return str(error.args[0])
    return str(error)


# --- the staging table: checked rows on their way in --------------------------------------------


class _Staging:
    """A temporary table of the file's checked rows (`seq`: the record's place in the file;
    `record`: its name, for errors), made into annotations and events by store()."""

    TABLE = "copydesk_import_staging"

    @staticmethod
    def create() -> "_Staging":
        staging = _PostgresStaging() if connection.vendor == "postgresql" else _SqliteStaging()
        columns = ", ".join(f"{_quoted(column)} {_FIELDS[column].db_type(connection)}" for column in STAGED)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_Staging.TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {_Staging.TABLE} ({staging.own_columns}, {columns})")
        return staging

    own_columns = ""

    def add(self, seq: int, record: str, row: tuple) -> None:
        raise NotImplementedError

    def pause(self, error: BaseException | None = None) -> None:
        """Let other queries through on the connection (PostgreSQL: ends the COPY under way;
        with an error, abandons it)."""

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.TABLE}")

    def store(self, actor, now) -> int:
        """Make the rows pending annotations by `actor`, each with its `created` event, all at the
        clock reading `now`; how many."""
        template = Annotation(created_by=actor, created_at=now, updated_at=now)
        made = _Constants.of(Annotation, template, skip={"id", *STAGED})
        event = event_for(template, action=HistoryAction.CREATED, actor=actor, from_status="")
        told = _Constants.of(AnnotationEvent, event, skip={"annotation_id"})
        with connection.cursor() as cursor:
            return self._insert(cursor, made, told)

    def _insert(self, cursor, made: "_Constants", told: "_Constants") -> int:
        raise NotImplementedError

    def duplicates(self) -> list[tuple[int, str]]:
        """Each row whose span, kind and type an earlier row of the file or a stored annotation
        already has, by its record (the first MAX_ERRORS of each)."""
        table, key = self.TABLE, ", ".join(_quoted(column) for column in _KEY)
        same = " AND ".join(f"a.{_quoted(column)} = s.{_quoted(column)}" for column in _KEY)
        found = []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT seq, record, first FROM (SELECT seq, record, "  # noqa: S608 - our tables and columns
                f"FIRST_VALUE(record) OVER (PARTITION BY {key} ORDER BY seq) AS first, "
                f"ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY seq) AS n FROM {table}) AS t "
                f"WHERE n > 1 ORDER BY seq LIMIT {MAX_ERRORS}"
            )
            found += [(seq, f"{record}: the same span, kind and type as {first}") for seq, record, first in cursor]
            cursor.execute(
                f"SELECT s.seq, s.record, a.id FROM {table} AS s JOIN {_ANNOTATIONS} AS a ON {same} "  # noqa: S608
                f"AND a.status <> %s ORDER BY s.seq LIMIT {MAX_ERRORS}",
                [Status.ORPHANED],
            )
            found += [
                (seq, f"{record}: the article already has an annotation of this kind and type on this span (id {pk})")
                for seq, record, pk in cursor
            ]
        return found


class _PostgresStaging(_Staging):
    """Filled by COPY, written by a thread of psycopg's while Python reads on; the rows take their
    annotation ids from the annotations' own sequence as they arrive, in the file's order."""

    def __init__(self):
        sequence = f"pg_get_serial_sequence('{Annotation._meta.db_table}', 'id')"
        self.own_columns = f"seq integer NOT NULL, record text NOT NULL, id bigint NOT NULL DEFAULT nextval({sequence})"
        self._cursor = self._copying = self._copy = None

    def add(self, seq: int, record: str, row: tuple) -> None:
        if self._copy is None:
            self._cursor = connection.cursor()
            raw = self._cursor.cursor
            self._copying = raw.copy(
                f"COPY {self.TABLE} (seq, record, {_STAGED}) FROM STDIN", writer=QueuedLibpqWriter(raw)
            )
            self._copy = self._copying.__enter__()
        self._copy.write_row((seq, record, *row))

    def pause(self, error: BaseException | None = None) -> None:
        if self._copy is not None:
            copying, self._copy = self._copying, None
            try:
                copying.__exit__(type(error) if error else None, error, None)
            finally:
                self._cursor.close()

    def _insert(self, cursor, made: "_Constants", told: "_Constants") -> int:
        cursor.execute(
            f"INSERT INTO {_ANNOTATIONS} (id, {_STAGED}, {made.columns}) "  # noqa: S608 - our tables and columns
            f"SELECT id, {_STAGED}, {made.marks} FROM {self.TABLE}",
            made.values,
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {_EVENTS} (annotation_id, {told.columns}) SELECT id, {told.marks} FROM {self.TABLE}",  # noqa: S608
            told.values,
        )
        return created

    def duplicates(self) -> list[tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.TABLE}")  # a plan for its real size, not a guess
        return super().duplicates()


class _SqliteStaging(_Staging):
    """Filled by batched INSERTs; the annotations take their ids as they are inserted, in the
    file's order (`seq` is the table's rowid, so that order costs no sort)."""

    own_columns = "seq integer PRIMARY KEY, record text NOT NULL"

    def __init__(self):
        self._rows = []

    def add(self, seq: int, record: str, row: tuple) -> None:
        self._rows.append((seq, record, *row))
        if len(self._rows) >= BATCH:
            self.pause()

    def pause(self, error: BaseException | None = None) -> None:
        if self._rows and error is None:
            marks = ", ".join(["%s"] * (2 + len(STAGED)))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.TABLE} (seq, record, {_STAGED}) VALUES ({marks})",  # noqa: S608
                    self._rows,
                )
        self._rows = []

    def _insert(self, cursor, made: "_Constants", told: "_Constants") -> int:
        cursor.execute(
            f"INSERT INTO {_ANNOTATIONS} ({_STAGED}, {made.columns}) "  # noqa: S608 - our tables and columns
            f"SELECT {_STAGED}, {made.marks} FROM {self.TABLE} ORDER BY seq",
            made.values,
        )
        created = cursor.rowcount
        # The insert holds SQLite's one write lock to the end of the transaction: the newest
        # `created` ids, one apart, are this file's.
        cursor.execute(
            f"INSERT INTO {_EVENTS} (annotation_id, {told.columns}) SELECT id, {told.marks} FROM {_ANNOTATIONS} "  # noqa: S608
            f"WHERE id > (SELECT MAX(id) FROM {_ANNOTATIONS}) - %s ORDER BY id",
            [*told.values, created],
        )
        return created


class _Constants(NamedTuple):
    """The columns every row takes from one template (a new pending annotation by the importer,
    or its `created` event, as the services make them), as an INSERT ... SELECT's SQL."""

    columns: str
    marks: str
    values: list

    @classmethod
    def of(cls, model, template, skip: set[str]) -> "_Constants":
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]
        return cls(
            ", ".join(_quoted(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields],
        )


_FIELDS = {field.attname: field for field in Annotation._meta.concrete_fields}


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


_STAGED = ", ".join(_quoted(column) for column in STAGED)
_ANNOTATIONS, _EVENTS = _quoted(Annotation._meta.db_table), _quoted(AnnotationEvent._meta.db_table)


# --- imports submitted through the API: a record of each, run at once or by the worker --------


def import_create(*, actor, format_name: str, name: str, size: int, mapping: dict, path: str = "") -> AnnotationImport:
    """The record of a file submitted for import: queued for the worker when `path` holds it,
    else running (the caller runs it at once)."""
    require_role(actor, Role.ANNOTATOR, "import annotations")
    return AnnotationImport.objects.create(
        format=format_name,
        name=name[:500],
        size=size,
        mapping=mapping,
        path=path,
        created_by=actor,
        state=ImportState.QUEUED if path else ImportState.RUNNING,
        started_at=None if path else timezone.now(),
    )


def import_claim() -> AnnotationImport | None:
    """The oldest queued import, marked running (several workers never take the same one)."""
    with transaction.atomic():
        record = (
            AnnotationImport.objects.select_for_update(skip_locked=True)
            .filter(state=ImportState.QUEUED)
            .order_by("id")
            .first()
        )
        if record is None:
            return None
        record.state, record.started_at = ImportState.RUNNING, timezone.now()
        record.save(update_fields=["state", "started_at"])
    return record


def import_run(
    record: AnnotationImport, spans: Iterable[ImportedSpan], position: Callable[[], int] | None = None
) -> AnnotationImport:
    """Import the record's spans (all or nothing) and write what became of it. On PostgreSQL
    progress (records read, `position()`: bytes of the file read, and the stage) is written
    as the file is read, on a connection of its own, so that it shows while the import's
    transaction is open (SQLite has one writer: there, at the end)."""
    with _ProgressWriter(record.pk, position) as progress:
        try:
            result = annotations_import(
                actor=record.created_by, spans=spans, mapping=record.mapping, name=record.name, progress=progress
            )
        except ImportFailed as failure:
            return _finish(record, errors=failure.errors)
        except DomainError as error:
            return _finish(record, errors=[str(error)])
    return _finish(record, result=result)


def _finish(record: AnnotationImport, *, result: ImportResult | None = None, errors=None) -> AnnotationImport:
    if result is None:
        record.state, record.errors = ImportState.FAILED, errors
    else:
        record.state = ImportState.DONE
        record.articles_created, record.annotations_created = result.articles_created, result.annotations_created
        record.records_read, record.bytes_read = result.records_read, record.size
    record.stage, record.finished_at = "", timezone.now()
    record.save(
        update_fields=[
            "state",
            "stage",
            "errors",
            "articles_created",
            "annotations_created",
            "records_read",
            "bytes_read",
            "finished_at",
        ]
    )
    return record


class _ProgressWriter:
    """An import's progress, written in autocommit on a second PostgreSQL connection."""

    def __init__(self, import_id: int, position: Callable[[], int] | None):
        self.import_id, self.position, self.side = import_id, position, None

    def __enter__(self):
        main = connections["default"]
        if main.vendor == "postgresql":
            self.side = main.get_new_connection(main.get_connection_params())
            self.side.autocommit = True
        return self

    def __call__(self, progress: Progress) -> None:
        if self.side is not None:
            table = AnnotationImport._meta.db_table
            self.side.execute(
                f"UPDATE {table} SET records_read = %s, bytes_read = GREATEST(bytes_read, %s), stage = %s "  # noqa: S608 - our table's name
                "WHERE id = %s",
                [progress.records, self.position() if self.position else 0, progress.stage, self.import_id],
            )

    def __exit__(self, *exc):
        if self.side is not None:
            self.side.close()
        return False
