"""Each article's translation quality read in SQL from its error tallies (models.ArticleErrorTally),
the weights applied as the rows are read: so a page of articles is scored, and every article
sorted by its score, from a few tally rows an article (BENCHMARKS.md)."""

from django.db import models
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf

from annotations.domain.kinds import Kind, Severity
from annotations.domain.quality import MAXIMUM_SCORE, REFERENCE_WORDS, Scoring, passing_raw_score
from annotations.domain.transitions import Status
from annotations.models import Annotation, ArticleErrorTally

# The annotations with_quality() adds, read by quality_of().
PENALTY, PER_1000_WORDS = "quality_penalty", "quality_per_1000_words"
ERRORS = {severity.value: f"quality_{severity.value}" for severity in Severity}


def scored_errors():
    """The annotations that count against their article's score: approved translation
    artifacts that no revision has fixed."""
    return Annotation.objects.filter(
        kind=Kind.TRANSLATION_ARTIFACT, status=Status.APPROVED, fixed_in_revision__isnull=True
    )


def _weight(scoring: Scoring) -> models.Expression:
    """One tally row's penalty per error: its severity's weight times its type's."""
    severity = Case(
        *(When(severity=name, then=Value(weight)) for name, weight in scoring.severity_weights.items()),
        default=Value(0.0),
        output_field=models.FloatField(),
    )
    if not scoring.type_weights:
        return severity
    of_type = Case(
        *(When(artifact_type=name, then=Value(weight)) for name, weight in scoring.type_weights.items()),
        default=Value(1.0),
        output_field=models.FloatField(),
    )
    return severity * of_type


def _per_article(aggregate: models.Expression, output_field: models.Field, empty, **where) -> Coalesce:
    tallies = ArticleErrorTally.objects.filter(article=OuterRef("pk"), **where).order_by()
    total = tallies.values("article").annotate(total=aggregate).values("total")
    return Coalesce(Subquery(total, output_field=output_field), Value(empty), output_field=output_field)


def with_quality(articles: QuerySet, scoring: Scoring) -> QuerySet:
    """The articles with their penalty points, errors by severity and penalty per 1,000 words
    (null for a text of no words), to sort by and for quality_of()."""
    penalty = _per_article(Sum(F("count") * _weight(scoring)), models.FloatField(), 0.0)
    errors = {
        column: _per_article(Sum("count"), models.IntegerField(), 0, severity=severity)
        for severity, column in ERRORS.items()
    }
    per_1000 = F(PENALTY) * Value(float(REFERENCE_WORDS)) / Cast(NullIf(F("word_count"), Value(0)), models.FloatField())
    return articles.annotate(**{PENALTY: penalty}, **errors).annotate(**{PER_1000_WORDS: per_1000})


def _raw_score() -> models.Expression:
    # translation_quality's MAXIMUM_SCORE * (1 - penalty / words): the same double operations in
    # the same order, on the same penalty; null for a text of no words.
    words = Cast(NullIf(F("word_count"), Value(0)), models.FloatField())
    return Value(float(MAXIMUM_SCORE)) * (Value(1.0) - F(PENALTY) / words)


def with_verdict(articles: QuerySet, verdict: str, scoring: Scoring) -> QuerySet:
    """The articles (read through with_quality()) whose translation quality passes ("passed") or
    fails ("failed"); one with no words has no score, and does neither."""
    bound = passing_raw_score(scoring.pass_threshold)
    if bound <= 0:  # a score is never below 0: every score passes
        return articles.filter(word_count__gt=0) if verdict == "passed" else articles.none()
    lookup = "gte" if verdict == "passed" else "lt"
    return articles.alias(quality_raw_score=_raw_score()).filter(**{f"quality_raw_score__{lookup}": bound})
