"""The API's page-number pagination, whose cost does not grow with the number of matches.

`count` is exact up to `exact_count_limit` matches and PostgreSQL's estimate
beyond that, with `count_is_exact` saying which (query/pages.py). Whether there
is a next page never depends on the count: the page query reads one row more
than it returns.
"""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from annotations.query.pages import count_matches, ids_first

BIGGEST_OFFSET = 2**63 - 1  # SQL's OFFSET and LIMIT are 64-bit integers


class PageNumberPagination(DRFPageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    exact_count_limit = 10_000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        self.number = self._page_number(request)
        offset = (self.number - 1) * size
        if offset + size + 1 > BIGGEST_OFFSET:
            raise NotFound("Invalid page.")  # no table has that many rows; SQL could not even say it
        rows = list(ids_first(queryset, offset=offset, limit=size + 1))
        self.has_next = len(rows) > size
        rows = rows[:size]
        if self.number > 1 and not rows:
            raise NotFound("Invalid page.")
        self.count, self.count_is_exact = count_matches(queryset, exact_up_to=self.exact_count_limit)
        return rows

    def _page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            number = int(raw)
        except ValueError:
            raise NotFound("Invalid page.") from None
        if number < 1:
            raise NotFound("Invalid page.")
        return number

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Matches: exact up to {self.exact_count_limit:,}, PostgreSQL's estimate beyond (see count_is_exact)."
        )
        response["properties"]["count_is_exact"] = {"type": "boolean", "example": True}
        response["required"] = [*response.get("required", []), "count_is_exact"]
        return response
