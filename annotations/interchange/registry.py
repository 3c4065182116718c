"""The export formats by name: each a writer and its media type."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .csv import write_csv
from .jsonl import write_jsonl
from .jsonld import ANNO_CONTEXT, write_jsonld


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    write: Callable[..., Iterator[bytes]]  # (annotations, *, total, iris, end_marker) -> pieces of the file

    @property
    def filename(self) -> str:
        return f"annotations.{self.name}"


FORMATS = {
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", write_jsonl),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8; header=present", write_csv),
    "jsonld": ExportFormat("jsonld", f'application/ld+json; profile="{ANNO_CONTEXT}"', write_jsonld),
}
