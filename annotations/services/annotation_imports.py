"""Storing a file of annotations made elsewhere: all of it, pending, or none of it.

Each span's article is found by url, else by the hash of the text the file
carries, else created from that text; a url whose stored body is not the
file's text is refused (the offsets would point into another text). Every
span is checked against its article's body (offsets in range, the quote the
file gives equal to the text there), its label mapped to a kind and type and
those checked as the API checks them, duplicates refused (in the file and
against what is stored); every reason is collected, each naming its record,
and the file is refused whole if there is any. Otherwise the annotations and
their `created` events are written in bulk, in one transaction: pending (four
eyes holds for imports too), with their origin.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connections, transaction
from django.utils import timezone

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
    unique_span,
)
from annotations.services.annotations import event_for
from annotations.services.articles import article_create
from annotations.services.users import require_role

BATCH = 2000  # annotations written per INSERT
MAX_ERRORS = 50  # reasons collected before giving up on a file
_TITLE_LENGTH = 80  # of a title made from the text's first line
_TITLE_LIMIT, _SOURCE_LIMIT, _URL_LENGTH = 500, 200, 2000  # the article's columns


@dataclass(frozen=True)
class ImportResult:
    articles_created: int
    annotations_created: int
    records_read: int = 0


def annotations_import(
    *,
    actor,
    spans: Iterable[ImportedSpan],
    mapping: dict | None = None,
    name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store the spans of one file, all or nothing; ImportFailed names every record refused."""
    require_role(actor, Role.ANNOTATOR, "import annotations")
    mapping = mapping or {}
    with transaction.atomic():
        articles = _Articles(actor, name)
        keys, errors, pending, created, count = set(), [], [], 0, 0
        for count, span in enumerate(_reading(spans, errors), start=1):
            try:
                if span.error:
                    raise ValueError(span.error)
                annotation = _annotation(span, articles.of(span.article), mapping, actor)
                key = tuple(unique_span(annotation).values())
                if key in keys or articles.stored_key(annotation.article_id, key):
                    raise ValueError("this article already has an annotation of this kind and type on this span")
                keys.add(key)
                pending.append(annotation)
            except (ValueError, KeyError, TypeError, DomainError) as error:
                errors.append(f"{span.record}: {_reason(error)}")
                if len(errors) >= MAX_ERRORS:
                    break
            if len(pending) >= BATCH and not errors:
                created += _write(pending, actor)
                pending = []
            if progress and count % 1000 == 0:
                progress(count)
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
        created += _write(pending, actor)
    return ImportResult(articles_created=articles.created, annotations_created=created, records_read=count)


def _reading(spans: Iterable[ImportedSpan], errors: list[str]):
    """The spans as the reader gives them; a record it cannot read at all ends the file, its
    reason joining those found before it."""
    try:
        yield from spans
    except ImportFailed as failure:
        errors.extend(failure.errors)


class _Articles:
    """The file's articles, found or created once each, with the spans already stored on them."""

    def __init__(self, actor, name: str):
        self.actor, self.name, self.created = actor, name, 0
        self._found: dict[SourceArticle, Article] = {}
        self._stored: dict[int, set[tuple]] = {}

    def of(self, source: SourceArticle) -> Article:
        # A reader gives a record's spans one SourceArticle: its text is normalised and hashed
        # once, not once per span.
        if source not in self._found:
            self._found[source] = self._find(source)
        return self._found[source]

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

    def stored_key(self, article_id: int, key: tuple) -> bool:
        if article_id not in self._stored:
            existing = Annotation.objects.filter(article_id=article_id).exclude(status=Status.ORPHANED)
            self._stored[article_id] = set(existing.values_list(*UNIQUE_SPAN))
        return key in self._stored[article_id]


def _annotation(span: ImportedSpan, article: Article, mapping: dict, actor) -> Annotation:
    body = article.body
    if not 0 <= span.start < span.end <= len(body):
        raise ValueError(f"the span {span.start}-{span.end} is not inside the text ({len(body)} code points)")
    quote = body[span.start : span.end]
    if span.quote is not None and span.quote != quote:
        raise ValueError(f"the file's text {span.quote!r} is not what the article has there ({quote!r})")
    given = dict(span.fields) if span.fields else fields_for(span.label or "", mapping)
    kind = given.pop("kind", None)
    if kind not in {k.value for k in Kind}:
        raise ValueError(f"{kind!r} is not a kind: one of {', '.join(k.value for k in Kind)}")
    note = given.pop("note", "") or ""
    _check_values({**given, "note": note, "model": span.model})
    check_kind_fields(kind, given)
    check_origin_fields(span.origin, span.model, span.confidence)
    prefix, suffix = span_context(body, span.start, span.end)
    return Annotation(
        article_id=article.pk,
        kind=kind,
        start=span.start,
        end=span.end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        revision=article.revision,
        note=note,
        origin=span.origin,
        model=span.model,
        confidence=span.confidence,
        created_by=actor,
        **kind_field_values(kind, given),
    )


# What the API's serializer checks of each field's value (annotations/inputs.py), that the
# database would otherwise refuse at the insert, or store wrong.
_CHOICES = {"entity_type": EntityType, "artifact_type": ArtifactType}


def _check_values(values: dict) -> None:
    for name, value in values.items():
        if name == "claim_date":
            if value is not None and not isinstance(value, date):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    raise ValueError(f"claim_date {value!r} is not a date (YYYY-MM-DD)") from None
            continue
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} {value!r} is not text")
        if name in _CHOICES and value and value not in {member.value for member in _CHOICES[name]}:
            raise ValueError(f"{value!r} is not an {name}: one of {', '.join(m.value for m in _CHOICES[name])}")
        column = Annotation._meta.get_field(name)
        longest = None if column.choices else column.max_length  # a choice is checked as one, above or by kind
        if longest and value and len(value) > longest:
            raise ValueError(f"{name} is longer than {longest} characters")


def _write(annotations: list[Annotation], actor) -> int:
    if not annotations:
        return 0
    stored = Annotation.objects.bulk_create(annotations, batch_size=BATCH)
    # The events the API's create writes, one each (services/annotations.event_for).
    AnnotationEvent.objects.bulk_create(
        (event_for(annotation, action=HistoryAction.CREATED, actor=actor, from_status="") for annotation in stored),
        batch_size=BATCH,
    )
    return len(stored)


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return str(error.args[0])
    return str(error)


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


def import_run(record: AnnotationImport, spans: Iterable[ImportedSpan]) -> AnnotationImport:
    """Import the record's spans (all or nothing) and write what became of it. On PostgreSQL
    progress is written as records are read, on a connection of its own, so that it shows
    while the import's transaction is open (SQLite has one writer: there, at the end)."""
    with _ProgressWriter(record.pk) as progress:
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
        record.records_read = result.records_read
    record.finished_at = timezone.now()
    record.save(
        update_fields=["state", "errors", "articles_created", "annotations_created", "records_read", "finished_at"]
    )
    return record


class _ProgressWriter:
    """records_read of an import, written in autocommit on a second PostgreSQL connection."""

    def __init__(self, import_id: int):
        self.import_id, self.side = import_id, None

    def __enter__(self):
        connection = connections["default"]
        if connection.vendor == "postgresql":
            self.side = connection.get_new_connection(connection.get_connection_params())
            self.side.autocommit = True
        return self

    def __call__(self, count: int) -> None:
        if self.side is not None:
            table = AnnotationImport._meta.db_table
            self.side.execute(f"UPDATE {table} SET records_read = %s WHERE id = %s", [count, self.import_id])  # noqa: S608 - our table's name

    def __exit__(self, *exc):
        if self.side is not None:
            self.side.close()
        return False
