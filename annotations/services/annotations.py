"""Creating, editing and deleting annotations; the reviews are in reviews.py."""

from datetime import date

from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.domain.errors import Conflict, DomainError, InvalidInput, Missing, NotAllowed
from annotations.domain.kinds import KIND_SPECIFIC_FIELDS, check_kind_fields, kind_field_values
from annotations.domain.origins import Origin, check_origin_fields
from annotations.domain.records import EDITABLE_FIELDS, WRITABLE_FIELDS
from annotations.domain.roles import Role
from annotations.domain.spans import span_fields
from annotations.domain.transitions import TRANSITIONS, HistoryAction, Status, Transition
from annotations.models import (
    DUPLICATE_SPAN_MESSAGE,
    Annotation,
    AnnotationEvent,
    Article,
    DeletedAnnotation,
    unique_span,
)
from annotations.selectors.users import user_role
from annotations.services.feed import entry_for_deleted, publish
from annotations.services.users import require_role

EDITABLE_IN_ORDER = [field for field in WRITABLE_FIELDS if field in EDITABLE_FIELDS]


def _check_not_duplicate(annotation: Annotation) -> None:
    twins = Annotation.objects.filter(**unique_span(annotation))
    if annotation.pk:
        twins = twins.exclude(pk=annotation.pk)
    if twins.exists():
        raise InvalidInput(DUPLICATE_SPAN_MESSAGE)


def _save_unique(annotation: Annotation) -> None:
    """Save, reporting a duplicate that slipped past the check (a concurrent insert) as a 400."""
    _check_not_duplicate(annotation)
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        if "annotation_unique_span" in str(exc) or "UNIQUE" in str(exc):
            raise InvalidInput(DUPLICATE_SPAN_MESSAGE) from None
        raise


def event_for(
    annotation: Annotation, *, action: str, actor, from_status: str, comment: str = "", changes: dict | None = None
) -> AnnotationEvent:
    """The (unsaved) history event of a change to the annotation."""
    return AnnotationEvent(
        annotation=annotation,
        action=action,
        actor=actor,
        at=annotation.updated_at,  # the change's one clock reading (a review's time too)
        from_status=from_status,
        to_status=annotation.status,
        comment=comment,
        changes=changes or {},
    )


def record_event(
    annotation: Annotation, *, action: str, actor, from_status: str, comment: str = "", changes: dict | None = None
) -> None:
    """Store the history event of a change just saved, in its transaction."""
    event_for(annotation, action=action, actor=actor, from_status=from_status, comment=comment, changes=changes).save()


def enter(annotation: Annotation, transition: Transition, *, actor, comment: str = "") -> str:
    """Put the annotation in the transition's status with the review fields that go with it,
    all at one clock reading (unsaved); return the status it left. The caller has checked
    that the move is allowed."""
    from_status = annotation.status
    annotation.status = transition.to_status
    annotation.updated_at = timezone.now()
    if transition.records_review:
        annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = (
            actor,
            annotation.updated_at,
            comment,
        )
    else:
        annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = None, None, ""
    return from_status


def lock_annotation(annotation_id: int) -> Annotation:
    """The annotation, its row locked until the transaction ends; Missing (404) if there is none."""
    try:
        return Annotation.objects.select_for_update().get(pk=annotation_id)
    except Annotation.DoesNotExist:
        raise Missing("No annotation with this id.") from None


def lock_article(article_id: int, *, revision: int | None = None) -> Article:
    """The article, its row locked until the transaction ends, so that no revision re-anchors its
    annotations meanwhile. Missing (404) if there is none; offsets meant for another revision
    than the current one: Conflict (409)."""
    try:
        article = Article.objects.select_for_update().get(pk=article_id)
    except Article.DoesNotExist:
        raise Missing("No article with this id.") from None
    check_revision(article, revision)
    return article


def check_revision(article: Article, revision: int | None) -> None:
    """Offsets a client took from the body of `revision` fit only if it is still the current one."""
    if revision is not None and revision != article.revision:
        raise Conflict(
            f"The article is at revision {article.revision}, not {revision}: "
            "read its current body and give offsets in it.",
            revision=article.revision,
        )


def annotation_create(
    *,
    actor,
    article: Article,
    kind: str,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    entity_type: str | None = None,
    artifact_type: str | None = None,
    suggested_correction: str | None = None,
    severity: str | None = None,
    claimant: str | None = None,
    rating: str | None = None,
    rating_explanation: str | None = None,
    claim_date: date | None = None,
    note: str | None = None,
    revision: int | None = None,
    origin: str = Origin.HUMAN,
    model: str = "",
    confidence: float | None = None,
) -> Annotation:
    """Create a pending annotation on the article's current body (`revision`, when given, must
    be the current one: offsets taken from an older body are refused, not misplaced); a
    machine suggestion names its `model` and `confidence` (domain/origins.py)."""
    require_role(actor, Role.ANNOTATOR, "create annotations")
    check_origin_fields(origin, model or "", confidence)
    given = {
        "entity_type": entity_type,
        "artifact_type": artifact_type,
        "suggested_correction": suggested_correction,
        "severity": severity,
        "claimant": claimant,
        "rating": rating,
        "rating_explanation": rating_explanation,
        "claim_date": claim_date,
    }
    check_kind_fields(kind, given)
    values = kind_field_values(kind, given)
    with transaction.atomic():
        article = lock_article(article.pk, revision=revision)
        span = span_fields(article.body, start=start, end=end, quote=quote)
        annotation = Annotation(
            article=article,
            kind=kind,
            **span,
            revision=article.revision,
            note=note or "",
            origin=origin,
            model=model or "",
            confidence=confidence,
            created_by=actor,
            **values,
        )
        _save_unique(annotation)
        record_event(annotation, action=HistoryAction.CREATED, actor=actor, from_status="")
    return annotation


def edit_refusal(actor, annotation: Annotation) -> DomainError | None:
    """Why `actor` may not edit this annotation, or None if they may. The desk asks
    this too, to show or hide its edit form."""
    if annotation.status == Status.ORPHANED:
        # Placing it again in the current text is a reviewer's job as much as its author's.
        if annotation.created_by_id != actor.pk and user_role(actor) < Role.REVIEWER:
            return NotAllowed("Only the annotation's author, a reviewer or an admin may place it again.")
    elif annotation.created_by_id != actor.pk and user_role(actor) < Role.ADMIN:
        return NotAllowed("Only the annotation's author or an admin may edit it.")
    if annotation.status not in TRANSITIONS["edit"].from_statuses:
        return Conflict(f"An {annotation.status} annotation cannot be edited; a reviewer must reopen it first.")
    return None


def delete_refusal(actor, annotation: Annotation) -> DomainError | None:
    """Why `actor` may not delete this annotation, or None if they may (admins always may)."""
    if user_role(actor) >= Role.ADMIN:
        return None
    if annotation.created_by_id != actor.pk:
        return NotAllowed("Only the annotation's author or an admin may delete it.")
    if annotation.status == Status.APPROVED:
        return Conflict("An approved annotation can only be deleted by an admin.")
    return None


def annotation_update(*, actor, annotation_id: int, revision: int | None = None, **changes) -> Annotation:
    """Edit an annotation; it goes back to pending for a fresh review. New offsets are in the
    article's current body (`revision`, when given, must be the current one)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput({field: ["This field cannot be changed."] for field in sorted(unknown)})
    require_role(actor, Role.ANNOTATOR, "edit annotations")
    with transaction.atomic():
        annotation = lock_annotation(annotation_id)
        if refusal := edit_refusal(actor, annotation):
            raise refusal
        # Read after the annotation's lock: a revision locks the article, then its annotations, so
        # either it waits for this edit, or this edit waited for it and reads the new body.
        annotation.article = article = Article.objects.get(pk=annotation.article_id)
        check_revision(article, revision)
        stored = _content(annotation)
        span_given = {key: changes[key] for key in ("start", "end", "quote") if key in changes}
        orphaned = annotation.status == Status.ORPHANED
        if orphaned and not span_given:
            raise InvalidInput(
                f"The annotation is orphaned: give start and end, or the quote, in the article's "
                f"current body (revision {article.revision})."
            )
        if span_given:
            if "quote" not in span_given:
                span_given.setdefault("start", annotation.start)
                span_given.setdefault("end", annotation.end)
            span = span_fields(
                article.body,
                start=span_given.get("start"),
                end=span_given.get("end"),
                quote=span_given.get("quote"),
            )
            for field, value in span.items():
                setattr(annotation, field, value)
            annotation.revision = article.revision
        if changes.get("kind", annotation.kind) != annotation.kind and annotation.claim_group_id is not None:
            raise Conflict("This claim is linked to claims elsewhere: unlink it before changing its kind.")
        for field in ("kind", "note"):
            if field in changes:
                setattr(annotation, field, changes[field] or "")
        kind_fields = {f: getattr(annotation, f) for f in KIND_SPECIFIC_FIELDS}
        if "kind" in changes:
            kind_fields["severity"] = ""  # a default, not a choice: the new kind's default applies
        kind_fields.update({f: changes[f] for f in KIND_SPECIFIC_FIELDS if f in changes})
        check_kind_fields(annotation.kind, kind_fields)
        for field, value in kind_field_values(annotation.kind, kind_fields).items():
            setattr(annotation, field, value)
        changed = _changes(stored, _content(annotation))
        if not changed and not orphaned:
            return annotation  # nothing changed: no new version, no event, the review stands
        edit = TRANSITIONS["edit"]
        from_status = enter(annotation, edit, actor=actor)
        _save_unique(annotation)
        record_event(annotation, action=edit.action, actor=actor, from_status=from_status, changes=changed)
    return annotation


def _content(annotation: Annotation) -> dict:
    """What an edit can change, in the record's order (the context follows the span); dates as
    ISO text, as an event's JSON keeps them."""
    content = {field: getattr(annotation, field) for field in (*EDITABLE_IN_ORDER, "prefix", "suffix")}
    return {field: value.isoformat() if isinstance(value, date) else value for field, value in content.items()}


def _changes(before: dict, after: dict) -> dict:
    """{"field": {"from": old, "to": new}} for each field that differs (an edit event's `changes`)."""
    return {field: {"from": before[field], "to": after[field]} for field in before if before[field] != after[field]}


def annotation_delete(*, actor, annotation_id: int) -> None:
    require_role(actor, Role.ANNOTATOR, "delete annotations")
    with transaction.atomic():
        # The article first, as a revision locks it before the annotations: keeping the deleted
        # annotation refers to the article (a key-share lock), which a revision in between would
        # hold while waiting for this annotation: a deadlock.
        article_id = Annotation.objects.filter(pk=annotation_id).values_list("article_id", flat=True).first()
        if article_id is not None:
            lock_article(article_id)
        annotation = lock_annotation(annotation_id)
        if refusal := delete_refusal(actor, annotation):
            raise refusal
        _keep_deleted(annotation, actor=actor)
        gone = entry_for_deleted(annotation)
        annotation.delete()
        publish([gone])


def _keep_deleted(annotation: Annotation, *, actor) -> None:
    """Keep what the annotation was and its history, which the delete takes with it."""
    (stored,) = serializers.serialize("python", [annotation])
    events = serializers.serialize("python", annotation.events.order_by("at", "id"))
    DeletedAnnotation.objects.create(
        former_id=annotation.pk,
        article_id=annotation.article_id,
        kind=annotation.kind,
        quote=annotation.quote,
        created_by_id=annotation.created_by_id,
        deleted_by=actor,
        deleted_at=timezone.now(),
        fields=stored["fields"],
        history=[
            {"id": event["pk"], **{name: value for name, value in event["fields"].items() if name != "annotation"}}
            for event in events
        ],
    )
