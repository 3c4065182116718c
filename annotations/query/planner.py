"""What PostgreSQL's planner expects, and how to steer it where it cannot know better."""

import json
from datetime import timedelta

from django.db import connections
from django.db.models import DurationField, F, QuerySet, Value


def estimated_rows(*querysets: QuerySet) -> list[int]:
    """The planner's estimate of each queryset's rows, from one EXPLAIN (no row is read).

    PostgreSQL only; the querysets are of one model, on one database.
    """
    ids = [queryset.order_by().values("pk") for queryset in querysets]
    if len(ids) == 1:
        return [int(_plan(ids[0])["Plan Rows"])]
    top = _plan(ids[0].union(*ids[1:], all=True))
    branches = top.get("Plans", []) if top["Node Type"] == "Append" else []
    if len(branches) != len(ids):  # the planner folded the UNION ALL: ask one at a time
        return [int(_plan(queryset)["Plan Rows"]) for queryset in ids]
    return [int(branch["Plan Rows"]) for branch in branches]


def _plan(queryset: QuerySet) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def not_from_an_index(key: str):
    """The order of `key` ("column" or "-column"), as an expression that no index gives.

    The rows then come in the same order, but PostgreSQL cannot walk an index for it:
    it finds the rows through the filters' indexes and sorts them.
    """
    column = key.removeprefix("-")
    zero = Value(timedelta(0), output_field=DurationField()) if column.endswith("_at") else Value(0)
    expression = F(column) + zero
    return expression.desc() if key.startswith("-") else expression.asc()
