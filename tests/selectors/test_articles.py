"""selectors/articles.py: articles with their annotations counted per status, bodies only when asked."""

import pytest

from annotations.selectors.articles import article_column_values, article_queryset
from tests.factories import AnnotationFactory, ApprovedClaimFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def test_counts_per_status_in_id_order(annotator, reviewer, article):
    other = ArticleFactory(source="Kyodo", language="ja")
    ApprovedClaimFactory.create_batch(2, article=article, created_by=annotator, reviewed_by=reviewer)
    AnnotationFactory(article=article, created_by=annotator)
    AnnotationFactory(article=other, created_by=annotator, reviewed_by=reviewer, rejected=True)
    counts = [(a.pk, a.n_pending, a.n_approved, a.n_rejected) for a in article_queryset(with_body=False)]
    assert counts == [(article.pk, 1, 2, 0), (other.pk, 0, 0, 1)]


def test_the_body_is_read_only_when_asked(article):
    listed = article_queryset(with_body=False).get()
    assert listed.get_deferred_fields() == {"body"}
    assert article_queryset(with_body=True).get().get_deferred_fields() == set()


def test_column_values_are_distinct_sorted_and_not_empty(article):
    ArticleFactory(source="Kyodo", language="ja")
    ArticleFactory(source="Kyodo", language="en")
    ArticleFactory(source="", language="en")
    assert article_column_values("source") == ["Kyodo", "Test Wire"]
    assert article_column_values("language") == ["en", "ja"]
