"""Articles' translation_quality in the API, and GET /api/exports/quality.csv."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/api/exports/quality.csv"
# 200 words: "w0x w1x ... w199x" (none inside another).
BODY = " ".join(f"w{n}x" for n in range(200))


def graded(annotator, reviewer, article, *errors):
    """Approved artifacts on the article's words, one per (word number, type, severity)."""
    for number, artifact_type, severity in errors:
        made = annotation_create(
            actor=annotator,
            article=article,
            kind="translation_artifact",
            quote=f"w{number}x",
            artifact_type=artifact_type,
            severity=severity,
        )
        annotation_approve(actor=reviewer, annotation_id=made.pk)


@pytest.fixture
def scored(annotator, reviewer):
    """Three articles of 201 words: clean; one minor error (1 point: 99.5, a pass); a critical
    and a major one (30 points: 149.25 per 1,000 words, 85.07, a fail)."""
    clean = ArticleFactory(title="Clean", body=BODY + " clean", source="Kyodo", language="en")
    slight = ArticleFactory(title="=Slight", body=BODY + " slight", source="VOI", language="id")
    poor = ArticleFactory(title="Poor", body=BODY + " poor", source="VOI", language="id")
    graded(annotator, reviewer, slight, (1, "grammar", "minor"))
    graded(annotator, reviewer, poor, (1, "wrong_referent", "critical"), (2, "untranslated", "major"))
    # A pending artifact counts for nothing.
    annotation_create(actor=annotator, article=poor, kind="translation_artifact", quote="w3x", artifact_type="grammar")
    return {"clean": clean, "slight": slight, "poor": poor}


def test_an_article_carries_its_translation_quality(client_for, consumer, scored):
    body = client_for(consumer).get(f"/api/articles/{scored['poor'].pk}/").json()
    assert body["translation_quality"] == {
        "words": 201,
        "penalty": 30,
        "per_1000_words": 149.25,
        "score": 85.07,
        "passed": False,
        "errors": {"minor": 0, "major": 1, "critical": 1},
    }


def test_the_list_scores_every_article_in_a_fixed_number_of_queries(client_for, consumer, scored, annotator):
    client = client_for(consumer)
    with CaptureQueriesContext(connection) as three:
        listed = client.get("/api/articles/").json()["results"]
    assert {a["title"]: a["translation_quality"]["passed"] for a in listed} == {
        "Clean": True,
        "=Slight": True,
        "Poor": False,
    }
    for n in range(6):
        ArticleFactory(title=f"More {n}", body=f"{BODY} more {n}")
    with CaptureQueriesContext(connection) as nine:
        assert len(client.get("/api/articles/").json()["results"]) == 9
    assert len(nine) == len(three)


def test_quality_csv_has_a_row_per_article_with_the_figures(client_for, consumer, scored, settings):
    response = client_for(consumer).get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="quality.csv"'
    text = b"".join(response.streaming_content).decode()
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        *["article", "title", "source", "language", "url", "published_at", "revision"],
        *["words", "penalty", "per_1000_words", "score", "passed", "minor", "major", "critical"],
    ]
    by_id = {int(row["article"]): row for row in rows}
    poor, slight = by_id[scored["poor"].pk], by_id[scored["slight"].pk]
    assert (poor["words"], poor["penalty"], poor["per_1000_words"], poor["score"], poor["passed"]) == (
        "201",
        "30.0",
        "149.25",
        "85.07",
        "false",
    )
    assert (poor["minor"], poor["major"], poor["critical"]) == ("0", "1", "1")
    assert (slight["score"], slight["passed"]) == ("99.5", "true")
    assert slight["title"] == "'=Slight"  # a spreadsheet would run it as a formula
    # The threshold is the settings': stricter, and the slight article fails too.
    settings.MQM_PASS_THRESHOLD = 99.9
    rows = list(csv.DictReader(io.StringIO(b"".join(client_for(consumer).get(CSV_URL).streaming_content).decode())))
    assert {row["title"]: row["passed"] for row in rows} == {"Clean": "true", "'=Slight": "false", "Poor": "false"}


def test_quality_csv_takes_the_article_lists_filters(client_for, consumer, scored):
    response = client_for(consumer).get(CSV_URL, {"source": "VOI", "q": "poor"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(row["article"]) for row in rows] == [scored["poor"].pk]
    bad = client_for(consumer).get(CSV_URL, {"published_after": "last week"})
    assert bad.status_code == 400
    assert "published_after" in bad.json()


def test_quality_csv_needs_a_user(client_for, db):
    assert client_for(None).get(CSV_URL).status_code == 401
