"""What a file of annotations made elsewhere holds, once read: spans on articles.

Readers (interchange/annotation_files.py) turn each format into these, offsets
already converted to code points of the stored body (domain/offsets.py); the
import service (services/annotation_imports.py) checks and stores them.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SourceArticle:
    """The article a span is on, as the file names it: found by `url`, else by its text's hash,
    else created from `text` (a format that carries no text must give a url)."""

    url: str = ""
    text: str | None = None  # as the file has it (line endings and all), or None
    title: str = ""
    source: str = ""
    language: str = "en"
    published_at: datetime | None = None


@dataclass(frozen=True)
class ImportedSpan:
    record: str  # where in the file, for errors: "line 12", "task 3, region 2", "T4 in doc.ann"
    article: SourceArticle
    start: int  # code points of the stored body
    end: int
    quote: str | None = None  # the text the file says the span holds, checked against the body
    label: str | None = None  # to map to a kind and type (domain/label_mapping.py), or
    fields: dict = field(default_factory=dict)  # the kind, type and other fields themselves
    origin: str = "import"
    model: str = ""
    confidence: float | None = None
    error: str | None = None  # what the reader could not make of the record (the rest is then meaningless)


class ImportFailed(Exception):
    """A file that cannot be imported: every reason found, each naming its record."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
