"""Export records: each field of domain/records.py's EXPORT_FIELDS read by one SQL expression.

Each record's context (`prefix`, `suffix`) is read from the annotation's own
columns, which the services fill when the span is set (domain/spans.py). The
exports stream these (interchange/records.py); the change feed stores them.
"""

from django.db import models
from django.db.models import Case, F, Func, QuerySet, Value, When
from django.db.models.functions import NullIf

from annotations.domain.quality import MQM_ERROR_TYPES
from annotations.domain.records import (
    DATE_FIELDS,
    DATETIME_FIELDS,
    EXPORT_FIELDS,
    NULL_WHEN_EMPTY,
    USER_FIELDS,
    api_datetime,
)

# Record fields read from a column of another name: the article's id, and the article's own fields.
_COLUMNS = {
    "article": "article_id",
    "article_title": "article__title",
    "source": "article__source",
    "url": "article__url",
    "published_at": "article__published_at",
}


def _column(name: str) -> models.Expression:
    if name == "mqm_error_type":
        return Case(
            *(When(artifact_type=artifact_type, then=Value(mqm)) for artifact_type, mqm in MQM_ERROR_TYPES.items()),
            default=Value(None),
            output_field=models.TextField(),
        )
    if name in USER_FIELDS:
        return F(f"{name}__username")
    if name in NULL_WHEN_EMPTY:
        return NullIf(F(name), Value(""))  # '' means "none" in the table; records say null
    return F(_COLUMNS.get(name, name))


def export_columns() -> dict[str, models.Expression]:
    """Each record field (in output order) and the SQL expression that reads it."""
    return {name: _column(name) for name in EXPORT_FIELDS}


def record_rows(annotations: QuerySet) -> QuerySet:
    """The annotations as rows of their record's values, in EXPORT_FIELDS order."""
    return annotations.values_list(*export_columns().values())


def record_of(row: tuple) -> dict:
    """An export record from one of record_rows()'s rows."""
    record = dict(zip(EXPORT_FIELDS, row, strict=True))
    for field in DATETIME_FIELDS:
        record[field] = api_datetime(record[field])
    for field in DATE_FIELDS:
        record[field] = record[field] and record[field].isoformat()
    return record


class IsoUtc(Func):
    """PostgreSQL's spelling of api_datetime(): one TO_CHAR, and no fraction when it is zero."""

    template = (
        "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )
    output_field = models.TextField()
