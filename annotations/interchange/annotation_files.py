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

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

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
        labels = list(_doccano_labels(record, number))  # the whole line checked before its spans
        for index, (start, end, label) in enumerate(labels, start=1):
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


# --- brat ------------------------------------------------------------------------------------------


def read_brat(content: bytes) -> Iterator[ImportedSpan]:
    """A zip of brat standoff files: each `NAME.txt` with its `NAME.ann`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ImportFailed(["not a zip of .txt and .ann files"]) from None
    names = {info.filename for info in archive.infolist() if not info.is_dir()}
    for ann in sorted(name for name in names if name.endswith(".ann")):
        txt = ann[: -len(".ann")] + ".txt"
        if txt not in names:
            raise ImportFailed([f"{ann}: no {txt} beside it"])
        yield from _brat_document(ann, archive.read(txt), archive.read(ann).decode("utf-8", "replace"))


def read_brat_folder(folder: Path) -> Iterator[ImportedSpan]:
    """A folder of brat standoff files (searched recursively)."""
    for ann in sorted(folder.rglob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise ImportFailed([f"{ann.relative_to(folder)}: no {txt.name} beside it"])
        yield from _brat_document(str(ann.relative_to(folder)), txt.read_bytes(), ann.read_text("utf-8", "replace"))


def _brat_document(name: str, txt: bytes, ann: str) -> Iterator[ImportedSpan]:
    """Text-bound annotations (`T1<TAB>LABEL START END<TAB>TEXT`) of one document; offsets count
    code points of the .txt as brat reads it (UTF-8, line endings untranslated: its
    annotation.open_textfile is codecs.open, which reads in binary mode). Relations, events,
    attributes and notes are not spans and are passed over; a discontinuous span (`0 5;9 12`)
    is refused by name, unless its pieces are one span cut at line breaks (as brat stores a
    selection over several lines)."""
    try:
        text = txt.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed([f"{name}: the .txt is not UTF-8 text"]) from None
    article = SourceArticle(text=text, title=Path(name).stem)
    offsets = OffsetMap(text, Unit.CODE_POINTS)
    for number, line in enumerate(ann.splitlines(), start=1):
        if not line.startswith("T"):
            continue
        where = f"{name}, line {number}"
        parts = line.split("\t")
        if len(parts) < 2 or len(parts[1].split(" ", 1)) < 2:
            yield ImportedSpan(record=where, article=article, start=0, end=0, error="not a text-bound annotation")
            continue
        label, places = parts[1].split(" ", 1)
        quote = parts[2] if len(parts) > 2 else None
        try:
            start, end = _brat_extent(text, places)
        except ValueError as error:
            yield ImportedSpan(record=f"{where} ({parts[0]})", article=article, start=0, end=0, error=str(error))
            continue
        joined = None if quote is None or ";" in places else normalize_body(quote)
        yield _span(f"{where} ({parts[0]})", article, offsets, start, end, joined, label)


def _brat_extent(text: str, places: str) -> tuple[int, int]:
    pieces = []
    for piece in places.split(";"):
        bounds = piece.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise ValueError(f"{places!r} is not START END")
        pieces.append((int(bounds[0]), int(bounds[1])))
    for (_, end), (start, _) in pairwise(pieces):
        if start < end or text[end:start].strip():
            raise ValueError(f"a discontinuous span ({places}) is not one Copydesk can hold")
    return pieces[0][0], pieces[-1][1]


# Each format's reader: from the file's lines (JSONL formats) or its whole content.
READERS: dict[str, tuple[str, Callable]] = {
    "copydesk-jsonl": ("lines", read_copydesk_jsonl),
    "doccano": ("lines", read_doccano),
    "label-studio": ("content", read_label_studio),
    "brat": ("content", read_brat),
}


def read(format_name: str, file) -> Iterator[ImportedSpan]:
    """The spans of an open binary file in the named format."""
    how, reader = READERS[format_name]
    return reader(file) if how == "lines" else reader(file.read())
