"""The export formats by name: each a writer, its media type and file name, and the annotations it holds."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from .claimreview import rated_claims, write_claimreviews
from .csv import write_csv
from .jsonl import write_jsonl
from .jsonld import ANNO_CONTEXT, write_jsonld
from .peer_exports import write_brat, write_doccano, write_label_studio


def _every(annotations: QuerySet) -> QuerySet:
    return annotations


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    write: Callable[..., Iterator[bytes]]  # (annotations, *, total, iris, end_marker) -> pieces of the file
    filename: str
    # Which of the approved annotations the list's filters select the file holds.
    holds: Callable[[QuerySet], QuerySet] = _every
    end_marker: bool = True  # whether ?end_marker= applies (JSON documents end with their own brackets)
    summary: str = ""  # the API schema's

    def __post_init__(self):
        if not self.summary:
            summary = f"Export approved annotations as {self.name.upper()} (streamed, not paginated)"
            object.__setattr__(self, "summary", summary)


FORMATS = {
    "jsonl": ExportFormat("jsonl", "application/x-ndjson; charset=utf-8", write_jsonl, "annotations.jsonl"),
    "csv": ExportFormat("csv", "text/csv; charset=utf-8; header=present", write_csv, "annotations.csv"),
    "jsonld": ExportFormat(
        "jsonld", f'application/ld+json; profile="{ANNO_CONTEXT}"', write_jsonld, "annotations.jsonld", end_marker=False
    ),
    "label-studio": ExportFormat(
        "label-studio",
        "application/json; charset=utf-8",
        write_label_studio,
        "annotations.label-studio.json",
        end_marker=False,
        summary="Export approved annotations as Label Studio tasks (JSON, an article a task; streamed)",
    ),
    "doccano": ExportFormat(
        "doccano",
        "application/x-ndjson; charset=utf-8",
        write_doccano,
        "annotations.doccano.jsonl",
        end_marker=False,
        summary="Export approved annotations as doccano JSONL (an article a line, UTF-16 offsets; streamed)",
    ),
    "brat": ExportFormat(
        "brat",
        "application/zip",
        write_brat,
        "annotations.brat.zip",
        end_marker=False,
        summary="Export approved annotations as brat standoff files (a zip of .txt and .ann; streamed)",
    ),
    "claimreviews": ExportFormat(
        "claimreviews",
        "application/ld+json; charset=utf-8",
        write_claimreviews,
        "claimreviews.jsonld",
        holds=rated_claims,
        end_marker=False,
        summary="Export approved, rated claims as schema.org ClaimReviews (JSON-LD, streamed, not paginated)",
    ),
}
