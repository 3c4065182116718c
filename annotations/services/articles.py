"""Storing one article (API, desk); whole files of them are services/imports.py."""

from datetime import datetime

from django.db import IntegrityError, transaction

from annotations.domain.articles import body_sha256, normalize_body
from annotations.domain.errors import Conflict, invalid
from annotations.models import Article


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
