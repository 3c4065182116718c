"""Articles loaded from a fixture (loaddata) have no revision rows: revising them still works."""

import pytest

from annotations.models import Article, ArticleRevision
from annotations.services.revisions import article_revise
from tests.factories import AnnotationFactory, ArticleFactory


@pytest.mark.django_db
def test_an_article_without_its_revision_row_keeps_its_first_body_and_its_orphans(reviewer, annotator):
    article = ArticleFactory(body="Japan will send aid. Officials gave no figures.")
    gone = AnnotationFactory(article=article, quote="Officials gave no figures.", created_by=annotator)
    ArticleRevision.objects.filter(article=article).delete()  # as loaddata leaves it

    article_revise(actor=reviewer, article_id=article.pk, body="Japan will send aid.")
    article_revise(actor=reviewer, article_id=article.pk, body="Japan will send more aid.")

    article = Article.objects.get(pk=article.pk)
    assert list(article.revisions.values_list("number", "body")) == [
        (1, "Japan will send aid. Officials gave no figures."),
        (2, "Japan will send aid."),
        (3, "Japan will send more aid."),
    ]
    gone.refresh_from_db()
    assert (gone.status, gone.revision) == ("orphaned", 1)
