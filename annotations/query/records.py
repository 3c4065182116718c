"""Export records: each field of domain/records.py's EXPORT_FIELDS read by one SQL expression.

Each record's context (`prefix`, `suffix`) is read from the annotation's own
columns, which the services fill when the span is set (domain/spans.py). The
exports stream these (interchange/records.py); the change feed stores them.
"""

from collections.abc import Callable

from django.db import connections, models
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


def timed_columns() -> dict[str, models.Expression]:
    """export_columns() with times spelled by PostgreSQL as api_datetime() spells them."""
    return {name: IsoUtc(column) if name in DATETIME_FIELDS else column for name, column in export_columns().items()}


def text_columns(
    annotations: QuerySet, *, text: Callable[[models.Expression], models.Expression]
) -> dict[str, models.Expression]:
    """Each record field as PostgreSQL text spelled as str() spells the record's value (what
    Python's csv writer writes): whole numbers as they are, times as api_datetime(), dates in
    ISO, floats as Python's repr; a column of text through `text`. NULL stays NULL."""
    query = annotations.query.clone()  # resolving a column joins its table: not into the export's own query
    cells = {}
    for name, column in export_columns().items():
        field = column.resolve_expression(query).output_field
        if isinstance(field, models.DateTimeField):
            cells[name] = IsoUtc(column)
        elif isinstance(field, models.DateField):
            cells[name] = IsoDate(column)
        elif isinstance(field, models.FloatField):
            cells[name] = PythonFloat(column)
        elif isinstance(field, models.CharField | models.TextField):
            cells[name] = text(column)
        else:
            cells[name] = column
    return cells


def export_select(annotations: QuerySet, columns: dict[str, models.Expression]) -> tuple[str, tuple]:
    """The list's query (its filters and order) reading `columns`, as a SELECT whose columns
    are named after `columns`' keys: what COPY streams (interchange/stream.copy_lines)."""
    connection = connections[annotations.db]
    query = annotations.values_list(*columns.values()).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    # Renamed as the record's fields: the first len(columns) only (a DISTINCT adds its ordering
    # columns after them), in the query's order (PostgreSQL does not flatten a subquery with ORDER BY).
    positions = ", ".join(f"c{number}" for number in range(len(columns)))
    fields = ", ".join(f"c{number} AS {connection.ops.quote_name(name)}" for number, name in enumerate(columns))
    return f"SELECT {fields} FROM ({sql}) AS export({positions})", params  # noqa: S608 - the ORM's SQL


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


class IsoDate(Func):
    """PostgreSQL's spelling of date.isoformat(), whatever the server's DateStyle."""

    template = "TO_CHAR(%(expressions)s, 'YYYY-MM-DD')"
    output_field = models.TextField()


class PythonFloat(Func):
    """PostgreSQL's spelling of a float as Python's repr() spells it. Both write the shortest
    digits that read back the same (PostgreSQL 12 and later, extra_float_digits 1 as by default);
    Python adds ".0" to a whole number. (They part at 1e15 and beyond, out of any column's range here.)"""

    template = "REGEXP_REPLACE((%(expressions)s)::text, '^(-?[0-9]+)$', '\\1.0')"
    output_field = models.TextField()
