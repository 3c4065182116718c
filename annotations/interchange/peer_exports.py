"""Exports in other tools' formats: Label Studio's JSON tasks and doccano's JSONL, an article a
task or line with its text and its approved annotations as labelled spans, offsets in each
tool's own unit (the readers' units: annotation_files.py), labels by the names the default
mapping reads back (domain/label_mapping.py): the entity type, CLAIM, the artifact type; and
brat's standoff files, a zip of an article's .txt and .ann each.

On PostgreSQL the database builds each task, line or .ann (query/peer_exports.py) and COPY
streams them, as JSONL's lines are (BENCHMARKS.md). Elsewhere they are built here from the
export records, streamed an article at a time: the annotations in article order, each
article's text read with the next batch of articles. Tests check both give the same.
"""

import json
import zipfile
from collections.abc import Iterable, Iterator
from itertools import groupby, islice

from django.db.models import QuerySet

from annotations.domain.offsets import Unit, unit_offsets
from annotations.models import Article
from annotations.query import peer_exports as sql
from annotations.query.peer_exports import REGION_CONSTANTS, REGION_ID_PREFIX

from . import stream
from .records import records
from .stream import copy_lines, copy_rows, gathered, in_pieces, json_items, on_postgres

ARTICLES_PER_QUERY = 200


def label_of(record: dict) -> str:
    """The label another tool shows for an annotation, which Copydesk's default mapping reads back
    (query/peer_exports.peer_label() in SQL)."""
    if record["kind"] == "entity":
        return record["entity_type"]
    if record["kind"] == "claim":
        return "CLAIM"
    return record["artifact_type"].upper()


def _articles_with_records(annotations: QuerySet) -> Iterator[tuple[Article, list[dict]]]:
    """Each article with its annotations' export records, in article order."""
    rows = records(annotations.order_by("article_id", "id"))
    # Each group taken whole before the next: groupby's groups share one iterator.
    grouped = ((article_id, list(group)) for article_id, group in groupby(rows, key=lambda record: record["article"]))
    while batch := list(islice(grouped, ARTICLES_PER_QUERY)):
        articles = Article.objects.in_bulk([article_id for article_id, _ in batch])
        for article_id, group in batch:
            yield articles[article_id], group


def label_studio_task(article: Article, group: list[dict]) -> dict:
    """An article as a Label Studio task: `data.text` the body (offsets count its code points,
    as Label Studio's do), one annotation holding every approved span as a `labels` region."""
    regions = [
        {
            "id": f"{REGION_ID_PREFIX}{record['id']}",
            **REGION_CONSTANTS,
            "value": {
                "start": record["start"],
                "end": record["end"],
                "text": record["quote"],
                "labels": [label_of(record)],
            },
        }
        for record in group
    ]
    data = {"text": article.body, "title": article.title, "url": article.url, "copydesk_article": article.pk}
    return {"data": data, "annotations": [{"result": regions}]}


def label_studio_texts(annotations: QuerySet) -> Iterator[str]:
    yield "["
    separator = "\n"
    with stream.reading(annotations.db):
        for article, group in _articles_with_records(annotations):
            yield separator + json.dumps(label_studio_task(article, group), ensure_ascii=False)
            separator = ",\n"
    yield "\n]\n"


def doccano_line(article: Article, group: list[dict]) -> str:
    """An article as a line of doccano's JSONL: the text and [start, end, label] in UTF-16 code
    units, as doccano's editor counts."""
    units = unit_offsets(article.body, Unit.UTF16)
    labels = [[units[record["start"]], units[record["end"]], label_of(record)] for record in group]
    return json.dumps(
        {"text": article.body, "label": labels, "url": article.url, "title": article.title}, ensure_ascii=False
    )


def doccano_texts(annotations: QuerySet) -> Iterator[str]:
    with stream.reading(annotations.db):
        for article, group in _articles_with_records(annotations):
            yield doccano_line(article, group) + "\n"


def label_studio_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """label_studio_texts() from the tasks PostgreSQL builds: COPY sends each row in a block of
    its own (the protocol's CopyData: "messages sent from the backend will always correspond
    to single data rows"), a task and its line break, which becomes the list's separator."""
    yield b"["
    yield from json_items(copy_lines(annotations.db, *sql.label_studio_tasks(annotations)), first=b"\n")
    yield b"\n]\n"


def write_label_studio(annotations: QuerySet, **_context) -> Iterator[bytes]:
    # Complete only when parsed whole: its closing bracket is its end marker.
    if on_postgres(annotations):
        return gathered(label_studio_postgres(annotations))
    return in_pieces(label_studio_texts(annotations))


def doccano_postgres(annotations: QuerySet) -> Iterator[bytes]:
    """doccano_texts(), each line built by PostgreSQL."""
    return copy_lines(annotations.db, *sql.doccano_lines(annotations))


def write_doccano(annotations: QuerySet, **_context) -> Iterator[bytes]:
    if on_postgres(annotations):
        return gathered(doccano_postgres(annotations))
    return in_pieces(doccano_texts(annotations))


# --- brat: a zip of standoff files --------------------------------------------------------------


class _Drain:
    """A write-only file for zipfile that hands on what was written since the last drain."""

    def __init__(self):
        self.parts, self.written = [], 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self):
        pass

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def brat_ann(article: Article, group: list[dict]) -> str:
    """The article's text-bound annotations, offsets in code points of its .txt (the stored body,
    `\\n` line endings); a span over line breaks in pieces, as brat stores such a selection."""
    lines = []
    for number, record in enumerate(group, start=1):
        pieces, at = [], record["start"]
        for part in record["quote"].split("\n"):
            if part:
                pieces.append((at, at + len(part), part))
            at += len(part) + 1
        places = ";".join(f"{start} {end}" for start, end, _ in pieces)
        lines.append(f"T{number}\t{label_of(record)} {places}\t{' '.join(text for _, _, text in pieces)}\n")
    return "".join(lines)


def brat_files(annotations: QuerySet) -> Iterator[tuple[int, bytes, bytes]]:
    """Each article's id, .txt and .ann, UTF-8 encoded, in article order."""
    with stream.reading(annotations.db):
        for article, group in _articles_with_records(annotations):
            yield article.pk, article.body.encode(), brat_ann(article, group).encode()


def brat_files_postgres(annotations: QuerySet) -> Iterator[tuple[int, bytes, bytes]]:
    """brat_files(), each article's built by PostgreSQL."""
    return copy_rows(annotations.db, *sql.brat_files(annotations), types=["int8", "bytea", "bytea"])


# Deflate's fastest level: at a million annotations (53 MB of .txt and .ann) 21 MB in 0.8 s,
# against 19.5 MB in 1.1 s at zlib's default (6), a third of the export's time (BENCHMARKS.md).
BRAT_COMPRESSION = {"compression": zipfile.ZIP_DEFLATED, "compresslevel": 1}


def brat_zip(files: Iterable[tuple[int, bytes, bytes]]) -> Iterator[bytes]:
    """A zip of `article-<id>.txt` and `.ann` for each article, handed on as it is written."""
    sink = _Drain()
    with zipfile.ZipFile(sink, "w", **BRAT_COMPRESSION) as archive:
        for article_id, text, ann in files:
            name = f"article-{article_id}"
            archive.writestr(f"{name}.txt", text)
            archive.writestr(f"{name}.ann", ann)
            yield sink.drain()
    yield sink.drain()  # the zip's central directory


def write_brat(annotations: QuerySet, **_context) -> Iterator[bytes]:
    files = brat_files_postgres(annotations) if on_postgres(annotations) else brat_files(annotations)
    return gathered(brat_zip(files))
