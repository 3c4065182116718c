"""Time a revision end to end through the API: POST /api/articles/{id}/revisions/ on an
article of about 20,000 code points with 1,000 annotations, re-anchoring included.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_revbench .venv/bin/python bench/revision_api_bench.py

Migrates the database named (created if missing), then for each kind of edit of
bench/revision_corpus.py's large case, seven times: a fresh article and its 1,000
annotations (approved, stored in bulk), then one timed POST with DRF's test client
(authentication, validation, the service's transaction, the response; no HTTP
server). Prints the median, the queries, and the re-anchoring summary.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from annotations.domain.roles import Role  # noqa: E402
from annotations.domain.spans import span_context  # noqa: E402
from annotations.models import Annotation, Status  # noqa: E402
from annotations.services.articles import article_create  # noqa: E402
from annotations.services.users import assign_role  # noqa: E402
from bench.revision_corpus import large_case  # noqa: E402

KINDS = ["typo", "sentences_in_out", "paragraphs_moved", "word_in_span", "near_total_rewrite"]
RUNS = 7


def user(name: str, role: Role):
    from django.contrib.auth import get_user_model

    account, _ = get_user_model().objects.get_or_create(username=name)
    assign_role(account, role)
    return account


def annotated_article(case, run: int, author, reviewer):
    # A marker line keeps each run's body (and its hash) its own.
    title, body = f"Revision bench {case.kind_of_edit} {run}", case.old_body + f"\nrun {time.time_ns()}"
    article = article_create(title=title, body=body)
    now, seen, rows = timezone.now(), set(), []
    for anchor in case.anchors:
        if (anchor.start, anchor.end) in seen:
            continue
        seen.add((anchor.start, anchor.end))
        prefix, suffix = span_context(article.body, anchor.start, anchor.end)
        rows.append(
            Annotation(
                article=article,
                kind="claim",
                start=anchor.start,
                end=anchor.end,
                quote=anchor.quote,
                prefix=prefix,
                suffix=suffix,
                status=Status.APPROVED,
                created_by=author,
                reviewed_by=reviewer,
                reviewed_at=now,
            )
        )
    Annotation.objects.bulk_create(rows)
    return article, len(rows)


def main() -> None:
    call_command("migrate", verbosity=0)
    author, reviewer = user("bench-rev-annotator", Role.ANNOTATOR), user("bench-rev-reviewer", Role.REVIEWER)
    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=reviewer)[0].key}")
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    for kind in KINDS:
        case = large_case(kind)
        timings, queries, summary = [], 0, None
        for run in range(RUNS):
            article, count = annotated_article(case, run, author, reviewer)
            new_body = case.new_body + article.body[len(case.old_body) :]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(
                    f"/api/articles/{article.pk}/revisions/", {"body": new_body, "note": kind}, format="json"
                )
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.content[:500]
            queries, summary = len(captured), response.json()["reanchoring"]
        print(
            f"{kind:20} {len(case.old_body):6} cp {count:5} annotations  median {statistics.median(timings):7.1f} ms "
            f"(min {min(timings):.1f}, max {max(timings):.1f})  {queries} queries  {summary}"
        )


if __name__ == "__main__":
    main()
