"""Every read of articles and annotations: who sees what, with the joins each
consumer of the rows needs, so that no list costs a query per row."""

from django.db import connections
from django.db.models import Count, Q, QuerySet

from .errors import InvalidInput
from .filters import AnnotationFilter
from .models import Annotation, AnnotationEvent, Article, Status
from .planner import estimated_rows
from .roles import Role, user_role


def article_queryset(*, with_body: bool, counted: bool = False) -> QuerySet[Article]:
    """Articles in id order, the body left out unless asked for.

    `counted` adds n_pending, n_approved and n_rejected in the query itself, which
    lets a list sort by them (the admin's columns) but joins every annotation of
    every article the page skips and the count reads (420 ms for the 40th page at
    a million annotations). The API counts the rows it shows instead:
    with_annotation_counts().
    """
    articles = Article.objects.order_by("id")
    if counted:
        counts = {f"n_{status}": Count("annotations", filter=Q(annotations__status=status)) for status in Status.values}
        articles = articles.annotate(**counts)
    return articles if with_body else articles.defer("body")


def with_annotation_counts(articles: list[Article]) -> list[Article]:
    """Set n_pending, n_approved and n_rejected on each article, from one query for all of them."""
    counts = (
        Annotation.objects.filter(article__in=[article.pk for article in articles])
        .values_list("article_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_article = {(article_id, status): n for article_id, status, n in counts}
    for article in articles:
        for status in Status.values:
            setattr(article, f"n_{status}", by_article.get((article.pk, status), 0))
    return articles


def annotations_visible_to(user) -> QuerySet[Annotation]:
    """All annotations for annotators and up; approved ones only for consumers."""
    annotations = Annotation.objects.select_related("created_by", "reviewed_by")
    if user_role(user) < Role.ANNOTATOR:
        annotations = annotations.filter(status=Status.APPROVED)
    return annotations


def annotation_history(*, annotation: Annotation) -> QuerySet[AnnotationEvent]:
    return annotation.events.select_related("actor").order_by("at", "id")


def annotations_for_export(*, params) -> QuerySet[Annotation]:
    """Approved annotations that match the list's filters (`status` aside), in the list's order.

    `params` is a QueryDict, as the list gets it; an invalid filter is an InvalidInput (400).
    """
    params = params.copy()
    params.pop("status", None)  # an export is of approved annotations, whatever is asked
    filterset = AnnotationFilter(params, queryset=Annotation.objects.filter(status=Status.APPROVED))
    if not filterset.is_valid():
        raise InvalidInput({field: list(messages) for field, messages in filterset.errors.items()})
    return filterset.qs


def count_matches(queryset: QuerySet, *, exact_up_to: int) -> tuple[int, bool]:
    """How many rows the queryset matches, and whether that figure is exact.

    Counting stops after `exact_up_to + 1` rows, so a count costs no more than
    a page however many rows match; past that, PostgreSQL's planner estimate
    stands in (never below the rows already counted). Other databases count
    exactly.
    """
    ids = queryset.order_by().values("pk")
    counted = ids[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return counted, True
    if connections[queryset.db].vendor != "postgresql":
        return ids.count(), True
    (estimate,) = estimated_rows(queryset)
    return max(estimate, counted), False
