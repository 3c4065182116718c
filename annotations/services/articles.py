"""Storing one article (API, desk); whole files of them are services/imports.py."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.domain.articles import body_sha256, normalize_body
from annotations.domain.errors import InvalidInput, invalid
from annotations.domain.feed import ChangeType, WithdrawalReason
from annotations.domain.quality import count_words
from annotations.domain.roles import Role
from annotations.domain.transitions import Status
from annotations.models import Annotation, Article
from annotations.services.annotations import lock_article
from annotations.services.feed import Entry, publish
from annotations.services.revisions import refuse_stored_body, revision_first
from annotations.services.users import require_role

# What an edit of an article may change (its body changes by revision only: services/revisions.py).
ARTICLE_DETAILS = ("title", "source", "url", "language", "published_at")
# The details the change feed's filters read: a change of them refiles the approved annotations.
FILED_UNDER = ("source", "language")


def article_create(
    *,
    actor=None,
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
    refuse_stored_body(sha)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=title,
                body=body,
                source=source,
                url=url,
                language=language,
                published_at=published_at,
                content_sha256=sha,
                word_count=count_words(body),
                imported_from=imported_from,
            )
            revision_first(article, actor=actor).save()
            return article
    except IntegrityError:
        refuse_stored_body(sha)  # another request stored the same body between our check and insert
        raise


def article_update(*, actor, article_id: int, **details) -> Article:
    """Change an article's details (ARTICLE_DETAILS). They are part of every export record, so
    its approved annotations are published as updated, or, when the source or language (what
    the feed's filters read) changed, withdrawn as filed before and approved as filed now."""
    require_role(actor, Role.ADMIN, "edit articles")
    unknown = set(details) - set(ARTICLE_DETAILS)
    if unknown:
        raise invalid(sorted(unknown)[0], "Only an article's details can be edited; its body is revised.")
    with transaction.atomic():
        article = lock_article(article_id)
        changed = {name: value for name, value in details.items() if getattr(article, name) != value}
        if not changed:
            return article
        for name, value in changed.items():
            setattr(article, name, value)
        try:
            article.full_clean(exclude=["body", "content_sha256"], validate_unique=False)
        except ValidationError as exc:
            raise InvalidInput({name: list(messages) for name, messages in exc.message_dict.items()}) from None
        refiled = any(name in changed for name in FILED_UNDER)
        approved = list(Annotation.objects.select_for_update().filter(article=article, status=Status.APPROVED))
        if refiled:  # filed under the details as stored until the save below
            publish(Entry(ChangeType.WITHDRAWN, a, WithdrawalReason.REFILED) for a in approved)
        article.save(update_fields=list(changed))
        publish(Entry(ChangeType.APPROVED if refiled else ChangeType.UPDATED, a) for a in approved)
    return article
