"""Reading articles, with their annotations counted per status."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from annotations.models import Annotation, Article, ArticleRevision, Status
from annotations.query.quality import with_quality
from annotations.selectors.quality import scoring


def article_queryset(*, with_body: bool) -> QuerySet[Article]:
    """Articles in id order with n_<status> for each status (n_pending, ...) and their translation
    quality's figures (query/quality.py; selectors/quality.quality_of reads them), the body
    left out unless asked for.

    Each count is a subquery per article shown (an index-only count on (article, status)),
    not a join and GROUP BY: so the list's count reads no annotation and a page reads those
    of its own articles only, and the desk's columns can still sort by them (BENCHMARKS.md).
    """
    articles = Article.objects.annotate(**{f"n_{status}": _annotation_count(status) for status in Status.values})
    articles = with_quality(articles, scoring()).order_by("id")
    return articles if with_body else articles.defer("body")


def _annotation_count(status: str) -> Coalesce:
    of_status = Annotation.objects.filter(article=OuterRef("pk"), status=status).order_by()
    return Coalesce(Subquery(of_status.values("article").annotate(n=Count("pk")).values("n")), 0)


def article_column_values(column: str) -> list[str]:
    """The distinct non-empty values of an article column (source, language), from the articles alone."""
    values = Article.objects.exclude(**{column: ""}).order_by(column).values_list(column, flat=True).distinct()
    return list(values)


def article_revisions(article: Article, *, with_body: bool = False) -> QuerySet[ArticleRevision]:
    """The article's revisions, oldest first, with who made each."""
    revisions = article.revisions.select_related("created_by").order_by("number")
    return revisions if with_body else revisions.defer("body")
