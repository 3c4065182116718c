"""query/pages.py: the desk's ids-first paginator gives Django's pages."""

import pytest
from django.core.paginator import Paginator

from annotations.models import Article
from annotations.query.pages import IdsFirstPaginator
from annotations.services.articles import article_create

pytestmark = pytest.mark.django_db


def test_the_admins_ids_first_paginator_pages_like_djangos(annotator, seed_articles):
    """The same rows on every page as Django's Paginator, orphans included."""
    for n in range(7):  # 10 articles: pages of 3, 3 and 4 (the last one's orphan joins it)
        article_create(title=f"t{n}", body=f"body {n}")
    articles = Article.objects.order_by("-id")
    django_pages, ours = Paginator(articles, 3, orphans=1), IdsFirstPaginator(articles, 3, orphans=1)
    assert ours.num_pages == django_pages.num_pages == 3
    assert len(ours.page(3)) == 4
    for number in ours.page_range:
        assert list(ours.page(number)) == list(django_pages.page(number)), number
