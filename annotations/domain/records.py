"""The annotation record: its fields, in order, as the API shows them and the exports write them.

Read by the API's serializers, the exports (each field's SQL expression), the
desk's form and the file formats, so that a field is added in one place.
"""

from datetime import UTC, datetime

from .transitions import Status

# An annotation as the API returns it (API.md), in this order.
ANNOTATION_FIELDS = (
    "id",
    "article",
    "kind",
    "start",
    "end",
    "quote",
    "entity_type",
    "artifact_type",
    "suggested_correction",
    "severity",  # a translation artifact's, MQM's: minor, major or critical
    "claimant",
    "rating",  # a claim's, as a fact-checker rated it
    "rating_explanation",
    "claim_date",  # when the claim was made
    "claim_group",  # shared by claims that state the same thing (null: none)
    "note",
    "origin",  # human, machine (a model's suggestion) or import
    "model",  # a machine suggestion's model and version
    "confidence",  # a machine suggestion's, 0..1 (null: none)
    "status",
    "created_by",
    "created_at",
    "updated_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "revision",  # of the article, that the offsets point into
    "fixed_in_revision",  # a translation artifact's: the revision that corrected the text
)
# What the service fills in; a client sets the rest when creating an annotation.
READ_ONLY_FIELDS = (
    "id",
    "status",
    "created_by",
    "created_at",
    "updated_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "revision",
    "fixed_in_revision",
    "claim_group",
)
# Where the annotation came from: given when it is created (by the API or an import), never edited.
PROVENANCE_FIELDS = ("origin", "model", "confidence")
# What a person sets, creating an annotation or editing one.
WRITABLE_FIELDS = tuple(
    field for field in ANNOTATION_FIELDS if field not in READ_ONLY_FIELDS and field not in PROVENANCE_FIELDS
)
# What an edit may change: everything written but the article.
EDITABLE_FIELDS = frozenset(WRITABLE_FIELDS) - {"article"}
# Type columns hold '' for "none" (see models/annotations.py); records say null.
NULL_WHEN_EMPTY = frozenset({"entity_type", "artifact_type", "severity", "rating"})
# Users are shown by username.
USER_FIELDS = frozenset({"created_by", "reviewed_by"})

# An export record: the annotation, then its article and the text around its span (API.md).
ARTICLE_FIELDS_IN_EXPORTS = ("article_title", "source", "url", "published_at")
CONTEXT_FIELDS = ("prefix", "suffix")
# A translation artifact's type as the MQM error type it is (domain/quality.py); null otherwise.
DERIVED_FIELDS = ("mqm_error_type",)
EXPORT_FIELDS = (*ANNOTATION_FIELDS, *ARTICLE_FIELDS_IN_EXPORTS, *CONTEXT_FIELDS, *DERIVED_FIELDS)
DATETIME_FIELDS = frozenset({"created_at", "updated_at", "reviewed_at", "published_at"})
DATE_FIELDS = frozenset({"claim_date"})

# What the last line of a JSONL or CSV export says when asked to end with a marker.
END_MARKER = "copydesk_end_of_export"

# The only status an export holds, whatever filter is asked for.
EXPORTED_STATUS = Status.APPROVED


def api_datetime(value: datetime | None) -> str | None:
    """The API's time format (DRF's): UTC, ISO 8601, "Z", microseconds only when not zero."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
