"""Every write to articles and annotations goes through these functions.

Each service takes keyword-only arguments, checks who may do it and whether
the object's state allows it, runs in one transaction (locking the row it
changes), and raises a domain error from `errors.py` when it refuses. The
history event of a change is written in the same transaction as the change.
"""

import hashlib
from datetime import datetime

from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import Conflict, DomainError, InvalidInput, Missing, NotAllowed, invalid
from .models import (
    DUPLICATE_SPAN_MESSAGE,
    Annotation,
    AnnotationEvent,
    Article,
    DeletedAnnotation,
    HistoryAction,
    Kind,
    Status,
)
from .roles import Role, user_role

# --- articles -----------------------------------------------------------------


def normalize_body(text: str) -> str:
    """The stored form of a body: no leading BOM, `\\n` line endings, nothing else changed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _existing_article_id(sha: str) -> int | None:
    return Article.objects.filter(content_sha256=sha).values_list("id", flat=True).first()


def _duplicate_article(article_id: int) -> Conflict:
    return Conflict("An article with this body is already stored.", id=article_id)


def article_create(
    *,
    title: str,
    body: str,
    source: str = "",
    url: str = "",
    language: str = "en",
    published_at: datetime | None = None,
    imported_from: str | None = None,
) -> Article:
    body = normalize_body(body)
    if not body.strip():
        raise invalid("body", "This field may not be blank.")
    sha = body_sha256(body)
    if (existing := _existing_article_id(sha)) is not None:
        raise _duplicate_article(existing)
    try:
        with transaction.atomic():
            return Article.objects.create(
                title=title,
                body=body,
                source=source,
                url=url,
                language=language,
                published_at=published_at,
                content_sha256=sha,
                imported_from=imported_from,
            )
    except IntegrityError:
        # Another request stored the same body between our check and insert.
        if (existing := _existing_article_id(sha)) is not None:
            raise _duplicate_article(existing) from None
        raise


# --- annotations: validation ----------------------------------------------------

# Which optional attributes belong to which kind, and which one each kind requires.
KIND_FIELDS: dict[str, set[str]] = {
    Kind.CLAIM: {"claimant"},
    Kind.ENTITY: {"entity_type"},
    Kind.TRANSLATION_ARTIFACT: {"artifact_type", "suggested_correction"},
}
KIND_REQUIRED: dict[str, str] = {Kind.ENTITY: "entity_type", Kind.TRANSLATION_ARTIFACT: "artifact_type"}
KIND_SPECIFIC_FIELDS = sorted(set().union(*KIND_FIELDS.values()))
REVIEW_ACTIONS = {HistoryAction.APPROVED, HistoryAction.REJECTED}
EDITABLE_FIELDS = {"kind", "start", "end", "quote", *KIND_SPECIFIC_FIELDS, "note"}


def _occurrences(body: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `body`, overlapping ones included."""
    found, at = [], body.find(quote)
    while at != -1:
        found.append(at)
        at = body.find(quote, at + 1)
    return found


def resolve_span(body: str, *, start: int | None, end: int | None, quote: str | None) -> tuple[int, int, str]:
    """Turn what the client gave (offsets, a quote, or both) into a checked (start, end, quote)."""
    if quote == "":
        raise invalid("quote", "This field may not be blank.")
    if start is None and end is None:
        if quote is None:
            raise InvalidInput("Give start and end, or the quote to find in the article body.")
        hits = _occurrences(body, quote)
        if not hits:
            raise invalid("quote", "The quote is not in the article body.")
        if len(hits) > 1:
            raise invalid("start", f"The quote occurs {len(hits)} times in the article body; give start to say which.")
        start = hits[0]
    if start is None:
        if quote is None:
            raise invalid("start", "This field is required when end is given.")
        start = end - len(quote)
        if start < 0:
            raise invalid("quote", f"The quote is longer than the text before end {end}.")
    if end is None:
        if quote is None:
            raise invalid("end", "This field is required when start is given without a quote.")
        end = start + len(quote)
    if start < 0:
        raise invalid("start", "Ensure this value is greater than or equal to 0.")
    if end <= start:
        raise invalid("end", f"end ({end}) must be greater than start ({start}): the span is empty or reversed.")
    if end > len(body):
        raise invalid("end", f"end ({end}) is beyond the article body, which has {len(body)} code points.")
    actual = body[start:end]
    if quote is not None and quote != actual:
        raise invalid("quote", f"The quote does not match the text at {start}-{end}, which is {actual!r}.")
    return start, end, actual


CONTEXT_LENGTH = 32  # code points of body text stored either side of a span (API.md: exports)


def span_context(body: str, start: int, end: int) -> tuple[str, str]:
    """The span's prefix and suffix: up to CONTEXT_LENGTH code points of the body before and after it."""
    return body[max(0, start - CONTEXT_LENGTH) : start], body[end : end + CONTEXT_LENGTH]


def _span_fields(body: str, *, start: int | None, end: int | None, quote: str | None) -> dict:
    """The stored span of what the client gave: checked offsets and quote, and the context exports show."""
    start, end, quote = resolve_span(body, start=start, end=end, quote=quote)
    prefix, suffix = span_context(body, start, end)
    return {"start": start, "end": end, "quote": quote, "prefix": prefix, "suffix": suffix}


def _check_kind_fields(kind: str, values: dict) -> None:
    errors: dict[str, list[str]] = {}
    for field in KIND_SPECIFIC_FIELDS:
        if values.get(field) and field not in KIND_FIELDS[kind]:
            owners = " or ".join(k for k, fields in KIND_FIELDS.items() if field in fields)
            errors[field] = [f"{field} belongs to {owners} annotations, not to {kind} annotations."]
    required = KIND_REQUIRED.get(kind)
    if required and not values.get(required):
        errors[required] = [f"This field is required for {kind} annotations."]
    if errors:
        raise InvalidInput(errors)


def _check_not_duplicate(annotation: Annotation) -> None:
    twins = Annotation.objects.filter(
        article_id=annotation.article_id,
        kind=annotation.kind,
        start=annotation.start,
        end=annotation.end,
        entity_type=annotation.entity_type,
        artifact_type=annotation.artifact_type,
    )
    if annotation.pk:
        twins = twins.exclude(pk=annotation.pk)
    if twins.exists():
        raise _duplicate_annotation()


def _duplicate_annotation() -> InvalidInput:
    return InvalidInput(DUPLICATE_SPAN_MESSAGE)


def _save_unique(annotation: Annotation) -> None:
    """Save, reporting a duplicate that slipped past the check (a concurrent insert) as a 400."""
    _check_not_duplicate(annotation)
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        if "annotation_unique_span" in str(exc) or "UNIQUE" in str(exc):
            raise _duplicate_annotation() from None
        raise


def _record(annotation: Annotation, *, action: str, actor, from_status: str, comment: str = "") -> None:
    AnnotationEvent.objects.create(
        annotation=annotation,
        action=action,
        actor=actor,
        # A review's event carries the review's own time, so the two always agree.
        at=annotation.reviewed_at if action in REVIEW_ACTIONS else annotation.updated_at,
        from_status=from_status,
        to_status=annotation.status,
        comment=comment,
    )


def _require_role(actor, role: Role, doing: str) -> None:
    if user_role(actor) < role:
        raise NotAllowed(f"Only a {role.group_name} or above may {doing}.")


def _lock(annotation_id: int) -> Annotation:
    try:
        return Annotation.objects.select_for_update().get(pk=annotation_id)
    except Annotation.DoesNotExist:
        raise Missing("No annotation with this id.") from None


# --- annotations: services --------------------------------------------------------


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
    claimant: str | None = None,
    note: str | None = None,
) -> Annotation:
    _require_role(actor, Role.ANNOTATOR, "create annotations")
    span = _span_fields(article.body, start=start, end=end, quote=quote)
    values = {
        "entity_type": entity_type or "",
        "artifact_type": artifact_type or "",
        "suggested_correction": suggested_correction or "",
        "claimant": claimant or "",
    }
    _check_kind_fields(kind, values)
    annotation = Annotation(article=article, kind=kind, **span, note=note or "", created_by=actor, **values)
    with transaction.atomic():
        _save_unique(annotation)
        _record(annotation, action=HistoryAction.CREATED, actor=actor, from_status="")
    return annotation


def edit_refusal(actor, annotation: Annotation) -> DomainError | None:
    """Why `actor` may not edit this annotation, or None if they may. The admin
    site asks this too, to show or hide its edit form."""
    if annotation.created_by_id != actor.pk and user_role(actor) < Role.ADMIN:
        return NotAllowed("Only the annotation's author or an admin may edit it.")
    if annotation.status == Status.APPROVED:
        return Conflict("An approved annotation cannot be edited; a reviewer must reopen it first.")
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


def annotation_update(*, actor, annotation_id: int, **changes) -> Annotation:
    """Edit an annotation; it goes back to pending for a fresh review."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput({field: ["This field cannot be changed."] for field in sorted(unknown)})
    _require_role(actor, Role.ANNOTATOR, "edit annotations")
    with transaction.atomic():
        annotation = _lock(annotation_id)
        if refusal := edit_refusal(actor, annotation):
            raise refusal
        span_given = {key: changes[key] for key in ("start", "end", "quote") if key in changes}
        if span_given:
            if "quote" not in span_given:
                span_given.setdefault("start", annotation.start)
                span_given.setdefault("end", annotation.end)
            span = _span_fields(
                annotation.article.body,
                start=span_given.get("start"),
                end=span_given.get("end"),
                quote=span_given.get("quote"),
            )
            for field, value in span.items():
                setattr(annotation, field, value)
        for field in ("kind", "note", *KIND_SPECIFIC_FIELDS):
            if field in changes:
                setattr(annotation, field, changes[field] or "")
        _check_kind_fields(annotation.kind, {f: getattr(annotation, f) for f in KIND_SPECIFIC_FIELDS})
        from_status = annotation.status
        annotation.status = Status.PENDING
        annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = None, None, ""
        _save_unique(annotation)
        _record(annotation, action=HistoryAction.EDITED, actor=actor, from_status=from_status)
    return annotation


def annotation_delete(*, actor, annotation_id: int) -> None:
    _require_role(actor, Role.ANNOTATOR, "delete annotations")
    with transaction.atomic():
        annotation = _lock(annotation_id)
        if refusal := delete_refusal(actor, annotation):
            raise refusal
        _keep_deleted(annotation, actor=actor)
        annotation.delete()


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


def _review(
    *, actor, annotation_id: int, action: str, allowed_from: set[str], to_status: str, comment: str
) -> Annotation:
    _require_role(actor, Role.REVIEWER, "review annotations")
    with transaction.atomic():
        annotation = _lock(annotation_id)
        if annotation.created_by_id == actor.pk:
            raise NotAllowed("You are this annotation's author; someone else must review it (four eyes).")
        if annotation.status not in allowed_from:
            wanted = " or ".join(sorted(allowed_from))
            raise Conflict(f"This annotation is {annotation.status}; only a {wanted} annotation can be {action}.")
        from_status = annotation.status
        annotation.status = to_status
        if to_status == Status.PENDING:
            annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = None, None, ""
        else:
            annotation.reviewed_by, annotation.reviewed_at, annotation.review_comment = actor, timezone.now(), comment
        annotation.save()
        _record(annotation, action=action, actor=actor, from_status=from_status, comment=comment)
    return annotation


def annotation_approve(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return _review(
        actor=actor,
        annotation_id=annotation_id,
        action=HistoryAction.APPROVED,
        allowed_from={Status.PENDING},
        to_status=Status.APPROVED,
        comment=comment,
    )


def annotation_reject(*, actor, annotation_id: int, comment: str) -> Annotation:
    if not (comment or "").strip():
        raise invalid("comment", "A rejection needs a comment that says why.")
    return _review(
        actor=actor,
        annotation_id=annotation_id,
        action=HistoryAction.REJECTED,
        allowed_from={Status.PENDING},
        to_status=Status.REJECTED,
        comment=comment,
    )


def annotation_reopen(*, actor, annotation_id: int, comment: str = "") -> Annotation:
    return _review(
        actor=actor,
        annotation_id=annotation_id,
        action=HistoryAction.REOPENED,
        allowed_from={Status.APPROVED, Status.REJECTED},
        to_status=Status.PENDING,
        comment=comment,
    )


# --- article import ---------------------------------------------------------------


def articles_import(records_by_file: list[list[dict]]) -> list[tuple[int, int]]:
    """Store the articles of several parsed files in bulk; return (imported, skipped) per file.

    Each record is validated article fields with `content_sha256`. One
    transaction covers the batch, so every file in it is stored whole or not
    at all; a body already stored (or repeated earlier in the batch) is
    skipped. Should a concurrent import win a race for a body, the batch is
    rolled back and its files are stored one transaction each instead.
    """
    try:
        with transaction.atomic():
            return _insert_new_articles(records_by_file)
    except IntegrityError:
        results = []
        for records in records_by_file:
            with transaction.atomic():
                results.extend(_insert_new_articles([records]))
        return results


def _insert_new_articles(records_by_file: list[list[dict]]) -> list[tuple[int, int]]:
    shas = [record["content_sha256"] for records in records_by_file for record in records]
    seen = set(Article.objects.filter(content_sha256__in=shas).values_list("content_sha256", flat=True))
    to_insert, results = [], []
    for records in records_by_file:
        imported = 0
        for record in records:
            if record["content_sha256"] in seen:
                continue
            seen.add(record["content_sha256"])
            to_insert.append(Article(**record))
            imported += 1
        results.append((imported, len(records) - imported))
    Article.objects.bulk_create(to_insert, batch_size=500)
    return results
