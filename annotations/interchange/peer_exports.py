"""Exports in other tools' formats: Label Studio's JSON tasks and doccano's JSONL, an article a
task or line with its text and its approved annotations as labelled spans, offsets in each
tool's own unit (the readers' units: annotation_files.py), labels by the names the default
mapping reads back (domain/label_mapping.py): the entity type, CLAIM, the artifact type.

Streamed an article at a time: the annotations in article order, each article's text read
with the next batch of articles.
"""

import json
import zipfile
from collections.abc import Iterator
from itertools import groupby, islice

from django.db.models import QuerySet

from annotations.domain.offsets import Unit, unit_offsets
from annotations.models import Article

from . import stream
from .records import records
from .stream import in_pieces

ARTICLES_PER_QUERY = 200


def label_of(record: dict) -> str:
    """The label another tool shows for an annotation, which Copydesk's default mapping reads back."""
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
            "id": f"copydesk-{record['id']}",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "origin": "manual",
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


def write_label_studio(annotations: QuerySet, **_context) -> Iterator[bytes]:
    # Complete only when parsed whole: its closing bracket is its end marker.
    return in_pieces(label_studio_texts(annotations))


def write_doccano(annotations: QuerySet, **_context) -> Iterator[bytes]:
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


def brat_pieces(annotations: QuerySet) -> Iterator[bytes]:
    sink = _Drain()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive, stream.reading(annotations.db):
        for article, group in _articles_with_records(annotations):
            name = f"article-{article.pk}"
            archive.writestr(f"{name}.txt", article.body.encode("utf-8"))
            archive.writestr(f"{name}.ann", brat_ann(article, group).encode("utf-8"))
            yield sink.drain()
    yield sink.drain()  # the zip's central directory


def write_brat(annotations: QuerySet, **_context) -> Iterator[bytes]:
    return stream.gathered(brat_pieces(annotations))
