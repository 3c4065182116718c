"""GET /api/annotations/: a fixed number of queries whatever the page size or filters."""

import pytest

from tests.factories import ArticleFactory, bulk_claims

URL = "/api/annotations/"
# token + user, role, usernames of a filter, count, page (select_related authors and reviewers),
# and on PostgreSQL the planner's estimates that decide how to read a date window
MAX_QUERIES = 7


@pytest.fixture
def many(annotator, reviewer):
    """120 approved claims, each on its own one-character span of a Kyodo article, by alice, reviewed by bob."""
    article = ArticleFactory(title="Many", body="abcdefghij" * 13, source="Kyodo")
    bulk_claims(120, article=article, created_by=annotator, reviewed_by=reviewer)


@pytest.mark.parametrize("page_size", [1, 50, 120])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kind": ["claim", "entity"], "source": "Kyodo", "ordering": "-start"},
        {"created_by": "alice", "reviewed_by": "bob", "created_after": "2000-01-01T00:00:00Z", "language": "en"},
    ],
)
def test_list_queries_do_not_grow_with_page_size(
    client_for, consumer, many, django_assert_max_num_queries, page_size, query
):
    """The same few queries for a page of 1 or of 120, filtered or not."""
    client = client_for(consumer)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, {**query, "page_size": page_size})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 120
    assert len(body["results"]) == page_size
    assert {item["created_by"] for item in body["results"]} == {"alice"}
