"""Date windows in any order: the same pages, whichever way PostgreSQL is told to read them.

Ids, creation and review times grow together. For a window far from where a walk
of the list's order starts, the list has PostgreSQL read the window off its
index and sort it (AnnotationPageFilter); these tests check the pages are the
ones the order defines either way, and that the choice follows the data.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation, Status
from annotations.query.planner import estimated_rows
from tests.factories import ArticleFactory, ClaimRowFactory

pytestmark = pytest.mark.django_db

URL = "/api/annotations/"
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = 600
STATUSES = [Status.APPROVED, Status.APPROVED, Status.PENDING, Status.APPROVED, Status.REJECTED]


def at(hours: float) -> str:
    return f"{FIRST + timedelta(hours=hours):%Y-%m-%dT%H:%M:%SZ}"


@pytest.fixture
def timeline(annotator, reviewer):
    """600 one-character claims, one an hour from FIRST; reviews (most approved) a day and a
    half later, rounded to 6 hours so that review times tie and the tie-break shows."""
    article = ArticleFactory(title="Timeline", body="abcdefghij" * 70, source="Kyodo")
    statuses = [STATUSES[at % len(STATUSES)] for at in range(ROWS)]
    made = Annotation.objects.bulk_create(
        ClaimRowFactory.build(
            article=article,
            at=at,
            status=status,
            created_by=annotator,
            reviewed_by=None if status == Status.PENDING else reviewer,
        )
        for at, status in enumerate(statuses)
    )
    for hour, annotation in enumerate(made):
        annotation.created_at = FIRST + timedelta(hours=hour)
        if annotation.status != Status.PENDING:
            annotation.reviewed_at = FIRST + timedelta(hours=(hour + 36) // 6 * 6)
    Annotation.objects.bulk_update(made, ["created_at", "reviewed_at"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE annotations_annotation")  # the planner's estimates, as in production
    return made


def expected_ids(annotations, window: dict, ordering: str) -> list[int]:
    """The consumer's rows in the window, in the order the API defines (ties by id, in the last key's direction)."""
    bounds = {
        "created_after": lambda a, moment: a.created_at >= moment,
        "created_before": lambda a, moment: a.created_at < moment,
        "reviewed_after": lambda a, moment: a.reviewed_at is not None and a.reviewed_at >= moment,
        "reviewed_before": lambda a, moment: a.reviewed_at is not None and a.reviewed_at < moment,
    }
    rows = [
        a
        for a in annotations
        if a.status == Status.APPROVED
        and all(bounds[name](a, datetime.fromisoformat(value)) for name, value in window.items())
    ]
    field, descending = ordering.removeprefix("-"), ordering.startswith("-")
    return [a.pk for a in sorted(rows, key=lambda a: (getattr(a, field), a.pk), reverse=descending)]


WINDOWS = {
    "late created month": {"created_after": at(520), "created_before": at(570)},
    "early created days": {"created_before": at(40)},
    "nearly all created": {"created_after": at(10)},
    "late reviews": {"reviewed_after": at(500)},
    "both windows": {"created_after": at(300), "reviewed_before": at(400)},
}
ORDERINGS = ["id", "-id", "created_at", "-created_at", "reviewed_at", "-reviewed_at", "start", "-start"]


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_window_pages_follow_the_order(client_for, consumer, timeline, window):
    client = client_for(consumer)
    for ordering in ORDERINGS:
        expected = expected_ids(timeline, window, ordering)
        assert expected, "every window holds approved annotations"
        listed, count = [], None
        url, query = URL, {**window, "ordering": ordering, "page_size": 30}
        while url:
            body = client.get(url, query).json()
            listed += [item["id"] for item in body["results"]]
            count = count or body["count"]
            url, query = body["next"], None
        assert listed == expected, ordering
        assert count == len(expected), ordering


def _page_sql(client, query: dict) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "annotations_annotation"."id"')]
    assert len(pages) == 1
    return pages[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimates decide")
@pytest.mark.parametrize(
    ("query", "sorted_"),
    [
        # A walk of the ids from the first would pass 520 rows before the window's 50.
        ({"created_after": at(520), "created_before": at(570)}, True),
        # Newest first, the walk would pass every row after the first 40 hours.
        ({"created_before": at(40), "ordering": "-id"}, True),
        ({"reviewed_after": at(500), "ordering": "created_at"}, True),
        # The window starts where the walk starts: nothing to pass.
        ({"created_after": at(10)}, False),
        ({"created_before": at(40)}, False),
        # The window is on the order's own column, whose index starts at the window.
        ({"created_after": at(520), "ordering": "created_at"}, False),
        # No window at all.
        ({"ordering": "-reviewed_at"}, False),
    ],
)
def test_window_is_sorted_only_where_walking_would_pass_more_rows(client_for, consumer, timeline, query, sorted_):
    sql = _page_sql(client_for(consumer), query)
    # Sorted: ordered by an expression no index gives, e.g. ORDER BY ("id" + 0).
    assert bool(re.search(r"ORDER BY \(", sql)) is sorted_, sql


def test_an_empty_or_inverted_window_is_an_empty_page(client_for, consumer, timeline):
    client = client_for(consumer)
    for window in ({"created_after": at(570), "created_before": at(520)}, {"reviewed_before": at(0)}):
        for ordering in ("id", "-id", "created_at"):
            body = client.get(URL, {**window, "ordering": ordering}).json()
            assert (body["count"], body["results"], body["next"]) == (0, [], None), (window, ordering)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimates")
def test_estimates_come_back_in_the_order_asked(timeline):
    late = Annotation.objects.filter(created_at__gte=at(570))
    everything = Annotation.objects.all()
    small, big = estimated_rows(late, everything)
    assert (big, estimated_rows(everything, late)) == (estimated_rows(everything)[0], [big, small])
    assert 10 <= small <= 100 and 400 <= big <= 800  # 30 and 600 rows, by the statistics of ANALYZE
