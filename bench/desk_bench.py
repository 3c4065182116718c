"""Time the reviewers' desk (admin pages) on the benchmark data, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench .venv/bin/python bench/desk_bench.py

Logs a reviewer in with Django's test client (no HTTP server) and prints, for each
page, the median of 5 requests, the number of queries and the slowest query.
Not part of the test suite.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotations.models import Annotation, Article  # noqa: E402


def pages() -> list[str]:
    article = Article.objects.order_by("id").values_list("id", flat=True).first()
    annotation = Annotation.objects.order_by("id").values_list("id", flat=True).first()
    return [
        f"/admin/annotations/article/{article}/change/",  # the desk: an article with its highlights
        "/admin/annotations/article/",
        "/admin/annotations/article/?p=20",
        "/admin/annotations/article/?q=ceasefire",
        "/admin/annotations/annotation/",
        "/admin/annotations/annotation/?status=pending",
        "/admin/annotations/annotation/?status=pending&source=Kyodo",
        "/admin/annotations/annotation/?p=100",
        "/admin/annotations/annotation/?q=ceasefire",
        "/admin/annotations/annotation/?q=Kishida",
        '/admin/annotations/annotation/?q="press conference" Reuters',
        f"/admin/annotations/annotation/{annotation}/change/",
        "/admin/annotations/deletedannotation/",
    ]


def main():
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("adduser", "bench-desk-reviewer", role="reviewer", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    client.force_login(django.contrib.auth.get_user_model().objects.get(username="bench-desk-reviewer"))
    print(f"{Annotation.objects.count()} annotations, {Article.objects.count()} articles; median of 5, as a reviewer")
    for url in pages():
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
        queries, slowest_ms = len(captured.captured_queries), float(slowest["time"]) * 1000
        print(
            f"  {statistics.median(timings):7.1f} ms  {response.status_code}  {queries:2} queries "
            f"(slowest {slowest_ms:.0f} ms)  {len(response.content) // 1024:4} KB  {url}"
        )


if __name__ == "__main__":
    main()
