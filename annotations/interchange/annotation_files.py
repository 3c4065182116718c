"""Reading files of annotations made elsewhere, one reader per format, into ImportedSpans
(domain/imports.py) with offsets in code points of the stored body.

Each format's unit, as its own tool counts: Copydesk's JSONL export, code
points of the stored body; Label Studio, code points of `data.text` with
`\\r\\n` as two (its frontend stores code points, not JavaScript's UTF-16
length, since label-studio-frontend PR 308 / label-studio PR 1559, and keeps
the task's line endings; measured on 1.23.2, ../shared/PEERS.md); doccano 1.x,
UTF-16 code units of `text`, what its Vue editor's JavaScript selection gives
(0.x exported code points after doccano PR 108; the 1.x rewrite counts UTF-16
again unless a project turns on grapheme mode: doccano issues 1931 and 2290,
and measured on 1.8.4).
A reader refuses, naming the record, what it cannot read; the service checks
the rest (services/annotation_imports.py).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from annotations.domain.articles import normalize_body
from annotations.domain.imports import ImportedSpan, ImportFailed, SourceArticle
from annotations.domain.offsets import OffsetError, OffsetMap, Unit
from annotations.domain.origins import Origin
from annotations.domain.records import END_MARKER

# What a Copydesk record carries besides the span: the annotation's own fields.
_COPYDESK_FIELDS = (
    "kind",
    "entity_type",
    "artifact_type",
    "suggested_correction",
    "severity",
    "claimant",
    "rating",
    "rating_explanation",
    "claim_date",
    "note",
)


def _json_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError:
            raise ImportFailed([f"line {number}: not UTF-8 text"]) from None
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFailed([f"line {number}: not JSON ({error.msg})"]) from None
        if not isinstance(record, dict):
            raise ImportFailed([f"line {number}: not a JSON object"])
        yield number, record


def _date_time(value, where: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ImportFailed([f"{where}: published_at {value!r} is not an ISO 8601 time"]) from None


def read_copydesk_jsonl(lines: Iterable[bytes | str]) -> Iterator[ImportedSpan]:
    """Copydesk's own JSONL export: a record a line, its article found by url (the export
    carries no text); the quote must be what that article has there. A machine suggestion
    stays one, with its model and confidence; the rest come in as `import`."""
    for number, record in _json_lines(lines):
        if END_MARKER in record:
            continue
        where = f"line {number}"
        article = SourceArticle(
            url=str(record.get("url") or ""),
            title=str(record.get("article_title") or ""),
            source=str(record.get("source") or ""),
            published_at=_date_time(record.get("published_at"), where),
        )
        machine = record.get("origin") == Origin.MACHINE
        yield ImportedSpan(
            record=where,
            article=article,
            start=record.get("start"),
            end=record.get("end"),
            quote=record.get("quote"),
            fields={name: record[name] for name in _COPYDESK_FIELDS if record.get(name) is not None},
            origin=Origin.MACHINE if machine else Origin.IMPORT,
            model=(record.get("model") or "") if machine else "",
            confidence=record.get("confidence") if machine else None,
        )


def read_doccano(lines: Iterable[bytes | str]) -> Iterator[ImportedSpan]:
    """doccano's JSONL: `text` and `label: [[start, end, "LABEL"], ...]` (or `entities` of
    `{start_offset, end_offset, label}`), offsets in UTF-16 code units."""
    for number, record in _json_lines(lines):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ImportFailed([f"line {number}: no text"])
        article = SourceArticle(url=str(record.get("url") or ""), text=text, title=str(record.get("title") or ""))
        offsets = OffsetMap(text, Unit.UTF16)
        spans = [(s, e, label) for s, e, label in _doccano_labels(record, number)]
        for index, (start, end, label) in enumerate(spans, start=1):
            yield _span(f"line {number}, label {index}", article, offsets, start, end, None, label)


def _doccano_labels(record: dict, number: int) -> Iterator[tuple]:
    for label in record.get("label") or record.get("labels") or []:
        if not (isinstance(label, list | tuple) and len(label) == 3):
            raise ImportFailed([f'line {number}: a label is [start, end, "LABEL"], not {label!r}'])
        yield tuple(label)
    for entity in record.get("entities") or []:
        try:
            yield entity["start_offset"], entity["end_offset"], entity["label"]
        except (KeyError, TypeError):
            raise ImportFailed([f"line {number}: an entity has start_offset, end_offset and label"]) from None


def read_label_studio(content: bytes | str) -> Iterator[ImportedSpan]:
    """Label Studio's JSON export: a list of tasks, each with `data.text` and `annotations` (and
    `predictions`, which come in as machine suggestions with their `model_version` and
    `score`) of `labels` regions; other region types (relations, choices) are not spans and
    are passed over. Offsets in code points of `data.text`, `\\r\\n` as two."""
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError as error:
        raise ImportFailed([f"not JSON ({error.msg})"]) from None
    except ValueError:  # bytes in no encoding JSON may have
        raise ImportFailed(["not UTF-8 text"]) from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ImportFailed(["a Label Studio export is a list of tasks"])
    for number, task in enumerate(tasks, start=1):
        try:
            yield from _label_studio_task(number, task)
        except (AttributeError, TypeError) as error:
            raise ImportFailed([f"task {number}: not a Label Studio task ({error})"]) from None


def _label_studio_task(number: int, task) -> Iterator[ImportedSpan]:
    """One task's spans: its annotations' and its predictions' `labels` regions."""
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ImportFailed([f"task {number}: no data.text"])
    article = SourceArticle(url=str(data.get("url") or ""), text=text, title=str(data.get("title") or ""))
    offsets = OffsetMap(text, Unit.CODE_POINTS)
    made = [(a, Origin.IMPORT, "", None) for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    made += [
        (p, Origin.MACHINE, str(p.get("model_version") or ""), p.get("score")) for p in task.get("predictions") or []
    ]
    for source, origin, model, score in made:
        for index, region in enumerate(source.get("result") or [], start=1):
            if region.get("type") != "labels":
                continue
            value = region.get("value") or {}
            confidence = region.get("score", score) if origin == Origin.MACHINE else None
            for label in value.get("labels") or []:
                quote = value.get("text")
                yield _span(
                    f"task {number}, region {index}",
                    article,
                    offsets,
                    value.get("start"),
                    value.get("end"),
                    normalize_body(quote) if isinstance(quote, str) else None,
                    label,
                    origin=origin,
                    model=model,
                    confidence=confidence,
                )


def _span(where, article, offsets, start, end, quote, label, **provenance) -> ImportedSpan:
    try:
        begin, finish = offsets(start), offsets(end)
    except OffsetError as error:
        return ImportedSpan(record=where, article=article, start=0, end=0, error=str(error))
    if not isinstance(label, str) or not label:
        return ImportedSpan(record=where, article=article, start=0, end=0, error="no label")
    return ImportedSpan(record=where, article=article, start=begin, end=finish, quote=quote, label=label, **provenance)


# Each format's reader: from the file's lines (JSONL formats) or its whole content.
READERS: dict[str, tuple[str, Callable]] = {
    "copydesk-jsonl": ("lines", read_copydesk_jsonl),
    "doccano": ("lines", read_doccano),
    "label-studio": ("content", read_label_studio),
}


def read(format_name: str, file) -> Iterator[ImportedSpan]:
    """The spans of an open binary file in the named format."""
    how, reader = READERS[format_name]
    return reader(file) if how == "lines" else reader(file.read())
