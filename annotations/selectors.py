"""Every read of articles and annotations: who sees what, with the joins each
consumer of the rows needs, so that no list costs a query per row."""

from django.db import connections
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .errors import InvalidInput
from .filters import AnnotationFilter
from .models import Annotation, AnnotationEvent, Article, Status
from .planner import estimated_rows
from .roles import Role, user_role


def article_queryset(*, with_body: bool) -> QuerySet[Article]:
    """Articles in id order with n_pending, n_approved and n_rejected, the body left out unless asked for.

    Each count is a subquery per article shown (an index-only count on (article, status)),
    not a join and GROUP BY: so the list's count reads no annotation and a page reads those
    of its own articles only (the join made the count 105 ms and page 40 312 ms at a
    million annotations), and the admin's columns can still sort by them.
    """
    articles = Article.objects.annotate(**{f"n_{status}": _annotation_count(status) for status in Status.values})
    articles = articles.order_by("id")
    return articles if with_body else articles.defer("body")


def _annotation_count(status: str) -> Coalesce:
    of_status = Annotation.objects.filter(article=OuterRef("pk"), status=status).order_by()
    return Coalesce(Subquery(of_status.values("article").annotate(n=Count("pk")).values("n")), 0)


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
