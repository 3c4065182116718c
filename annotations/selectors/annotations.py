"""Reading annotations: who sees which, their history, and what an export holds."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from annotations.domain.records import EXPORTED_STATUS
from annotations.domain.roles import Role
from annotations.filters import AnnotationExportFilter, filtered
from annotations.models import Annotation, AnnotationEvent, HistoryAction, Status
from annotations.selectors.users import user_role


def annotations_visible_to(user) -> QuerySet[Annotation]:
    """All annotations for annotators and up; approved ones only for consumers."""
    annotations = Annotation.objects.select_related("created_by", "reviewed_by")
    if user_role(user) < Role.ANNOTATOR:
        annotations = annotations.filter(status=Status.APPROVED)
    return annotations


def annotation_history(*, annotation: Annotation) -> QuerySet[AnnotationEvent]:
    return annotation.events.select_related("actor").order_by("at", "id")


def annotation_authors(annotation: Annotation) -> set[int]:
    """The ids of everyone who wrote the annotation's content: its creator and each editor.
    None of them may review it (four eyes)."""
    return annotation_authors_of([annotation])[annotation.pk]


def annotation_authors_of(annotations: list[Annotation]) -> dict[int, set[int]]:
    """annotation_authors() of each annotation, by id, in one query."""
    authors = {annotation.pk: {annotation.created_by_id} for annotation in annotations}
    edits = AnnotationEvent.objects.filter(annotation__in=list(authors), action=HistoryAction.EDITED)
    for annotation_id, editor_id in edits.values_list("annotation_id", "actor_id"):
        authors[annotation_id].add(editor_id)
    return authors


def review_queue(user) -> QuerySet[Annotation]:
    """The pending annotations `user` may review, oldest first: not theirs, and none they edited."""
    edited = AnnotationEvent.objects.filter(annotation=OuterRef("pk"), action=HistoryAction.EDITED, actor=user)
    pending = Annotation.objects.filter(status=Status.PENDING).exclude(created_by=user)
    return pending.exclude(Exists(edited)).order_by("id")


def annotations_for_export(*, params) -> QuerySet[Annotation]:
    """Approved annotations that match the list's filters (`status` aside), in the list's order.

    `params` is a QueryDict, as the list gets it; an invalid filter is an InvalidInput (400).
    """
    return filtered(AnnotationExportFilter(params, queryset=Annotation.objects.filter(status=EXPORTED_STATUS)))


def usernames_of(role_field: str) -> list[str]:
    """The usernames of everyone who is `role_field` ("created_by", "reviewed_by") of an annotation.

    One index probe per user (EXISTS), not a join of every annotation made DISTINCT."""
    did = Annotation.objects.filter(**{role_field: OuterRef("pk")})
    users = get_user_model().objects.filter(Exists(did)).order_by("username")
    return list(users.values_list("username", flat=True))
