"""Print PostgreSQL's plans (EXPLAIN ANALYZE) for the queries behind one list page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench \\
        .venv/bin/python bench/explain_list.py 'created_after=2025-06-01T00:00:00Z&page_size=50'

Runs the page as a consumer would see it (approved only) through the list's
own filter and pagination code, records the SQL it issues, and explains each
statement. Not part of the test suite.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402

from annotations.api.pagination import PageNumberPagination  # noqa: E402
from annotations.filters import AnnotationPageFilter  # noqa: E402
from annotations.selectors.annotations import annotations_visible_to  # noqa: E402


def main(query: str) -> None:
    request = Request(APIRequestFactory().get("/api/annotations/?" + query))
    filterset = AnnotationPageFilter(QueryDict(query), queryset=annotations_visible_to(AnonymousUser()))
    if not filterset.is_valid():
        sys.exit(f"invalid filter: {filterset.errors.as_json()}")
    with CaptureQueriesContext(connection) as captured:
        PageNumberPagination().paginate_queryset(filterset.qs, request)
    with connection.cursor() as cursor:
        for number, query_run in enumerate(captured.captured_queries, 1):
            sql = query_run["sql"]
            if sql.startswith("EXPLAIN"):
                continue
            print(f"-- query {number} ({float(query_run['time']) * 1000:.1f} ms as run)\n{sql}\n")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
