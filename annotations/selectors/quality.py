"""Translation quality as the API and the desk show it: the settings' scoring, an article's
figures, and the errors that make them."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from annotations.domain.quality import MQM_ERROR_TYPES, Scoring, translation_quality
from annotations.filters import ArticleFilter, filtered
from annotations.models import Annotation, Article
from annotations.query.quality import ERRORS, PENALTY, scored_errors, with_quality


def scoring() -> Scoring:
    """The MQM weights and pass threshold of the settings."""
    return Scoring.of(
        severity_weights=settings.MQM_SEVERITY_WEIGHTS,
        type_weights=settings.MQM_TYPE_WEIGHTS,
        pass_threshold=settings.MQM_PASS_THRESHOLD,
    )


def quality_of(article: Article, scoring: Scoring) -> dict:
    """The figures of an article read with query.quality.with_quality()."""
    errors = {severity: getattr(article, column) for severity, column in ERRORS.items()}
    return translation_quality(article.word_count, getattr(article, PENALTY), errors, scoring)


@dataclass(frozen=True)
class ScoredError:
    annotation: Annotation
    mqm_error_type: str
    penalty: float


def errors_of(article: Article, scoring: Scoring) -> list[ScoredError]:
    """The article's errors that its score counts, costliest first, then in text order."""
    errors = [
        ScoredError(a, MQM_ERROR_TYPES[a.artifact_type], scoring.penalty(a.artifact_type, a.severity))
        for a in scored_errors().filter(article=article).select_related("created_by", "reviewed_by")
    ]
    return sorted(errors, key=lambda e: (-e.penalty, e.annotation.start, e.annotation.pk))


def articles_scored(*, params) -> QuerySet[Article]:
    """The articles that match the article list's filters, in id order, with their translation
    quality's figures; `params` as the list gets them (an invalid filter is a 400)."""
    articles = with_quality(Article.objects.defer("body"), scoring()).order_by("id")
    return filtered(ArticleFilter(params, queryset=articles))
