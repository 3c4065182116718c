"""Pages and counts whose cost does not grow with the number of matches.

An exact COUNT(*) of a million-row filter costs more than the page itself
(BENCHMARKS.md), so a count is exact up to a limit and PostgreSQL's estimate
beyond it. Pages are read ids first, the API's and (IdsFirstPaginator) the desk's.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

from .planner import estimated_rows


def ids_first(queryset: QuerySet, *, offset: int, limit: int) -> QuerySet:
    """The rows of queryset[offset:offset + limit], found by their ids first, then read whole
    (one statement).

    The rows a page skips are then read as ids alone: PostgreSQL computes the selected
    columns of every row an OFFSET passes over, so an article's annotation counts
    (subqueries) were computed for every article before a late page. And where the
    list's order comes from a sort rather than an index (a date window, see
    query/windows.py), PostgreSQL sorts ids read off the window's index alone, not
    whole rows.
    """
    return queryset.filter(pk__in=queryset.values("pk")[offset : offset + limit])


def count_matches(queryset: QuerySet, *, exact_up_to: int) -> tuple[int, bool]:
    """How many rows the queryset matches, and whether that figure is exact.

    Counting stops after `exact_up_to + 1` rows, so a count costs no more than
    a page however many rows match; past that, PostgreSQL's planner estimate
    stands in (never below the rows already counted). Other databases count
    exactly.
    """
    ids = queryset.order_by().values("pk")
    counted = ids[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return counted, True
    if connections[queryset.db].vendor != "postgresql":
        return ids.count(), True
    (estimate,) = estimated_rows(queryset)
    return max(estimate, counted), False


class IdsFirstPaginator(Paginator):
    """Django's paginator (the desk's), with pages read by ids_first()."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(ids_first(self.object_list, offset=bottom, limit=top - bottom), number, self)
