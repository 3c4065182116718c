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
    combined = ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0]
    sql, params = combined.query.sql_with_params()
    with connections[combined.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    branches = top["Plans"] if len(ids) > 1 else [top]  # UNION ALL: an Append, a branch per queryset
    return [int(branch["Plan Rows"]) for branch in branches]


def not_from_an_index(key: str):
    """The order of `key` ("column" or "-column"), as an expression that no index gives.

    The rows then come in the same order, but PostgreSQL cannot walk an index for it:
    it finds the rows through the filters' indexes and sorts them.
    """
    column = key.removeprefix("-")
    zero = Value(timedelta(0), output_field=DurationField()) if column.endswith("_at") else Value(0)
    expression = F(column) + zero
    return expression.desc() if key.startswith("-") else expression.asc()
