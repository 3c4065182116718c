"""JSONL on PostgreSQL: the lines COPY streams are the records the Python path makes, awkward text verbatim."""

import json

import pytest
from django.db import connection
from django.http import QueryDict

from annotations.domain.spans import span_context
from annotations.interchange.jsonl import jsonl_lines_postgres
from annotations.interchange.records import records
from annotations.models import Article
from annotations.selectors.annotations import annotations_for_export
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve
from tests.conftest import RECORD_FIELDS

JSONL = "/api/exports/annotations.jsonl"


@pytest.mark.postgres
def test_postgres_jsonl_equals_python_records(approved, reviewer, article):
    """The SQL-built lines on PostgreSQL hold exactly the records the Python path makes."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    Article.objects.filter(pk=article.pk).update(
        url="https://example.org/a?b=1&c=\\", published_at=approved[0].created_at
    )
    annotations = annotations_for_export(params=QueryDict())
    from_sql = [json.loads(line) for line in jsonl_lines_postgres(annotations)]
    from_python = list(records(annotations))
    assert from_sql == from_python
    assert [list(r) for r in from_sql] == [RECORD_FIELDS] * 3
    # A DISTINCT puts its ordering column (the raw time here) in the SELECT too; lines keep the fields alone.
    by_time = annotations_for_export(params=QueryDict("ordering=-created_at")).distinct()
    assert [json.loads(line) for line in jsonl_lines_postgres(by_time)] == from_python[::-1]


AWKWARD = 'C:\\temp\\ "quoted" \\n not a newline\ttab\nnewline \x01\x02\x1f\x7f \u2028\x85 🇯🇵🙂 \\.'


@pytest.mark.postgres
def test_postgres_copy_gives_awkward_text_verbatim(client_for, consumer, annotator, reviewer, make_annotation):
    """Backslashes, quotes, newlines, tabs, control characters and emoji come through COPY as built."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    article = article_create(title=AWKWARD, body=f"{AWKWARD} -> [{AWKWARD[::-1]}] <- {AWKWARD}!")
    annotation = make_annotation(annotator, article, quote=f"[{AWKWARD[::-1]}]", note=AWKWARD, claimant=AWKWARD)
    annotation_approve(actor=reviewer, annotation_id=annotation.pk, comment=AWKWARD)
    raw = b"".join(client_for(consumer).get(JSONL).streaming_content)
    assert raw.endswith(b"}\n") and raw.count(b"\n") == 1  # one line: no raw newline inside it
    (record,) = [json.loads(line) for line in raw.decode().split("\n")[:-1]]
    assert record["quote"] == f"[{AWKWARD[::-1]}]"
    assert record["note"] == record["claimant"] == record["review_comment"] == record["article_title"] == AWKWARD
    assert (record["prefix"], record["suffix"]) == span_context(article.body, annotation.start, annotation.end)
    assert [record] == list(records(annotations_for_export(params=QueryDict())))
