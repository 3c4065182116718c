"""Storing one article (API, desk); whole files of them are services/imports.py."""

from datetime import datetime

from django.db import IntegrityError, transaction

from annotations.domain.articles import body_sha256, normalize_body
from annotations.domain.errors import invalid
from annotations.models import Article
from annotations.services.revisions import refuse_stored_body, revision_first


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
                imported_from=imported_from,
            )
            revision_first(article, actor=actor).save()
            return article
    except IntegrityError:
        refuse_stored_body(sha)  # another request stored the same body between our check and insert
        raise
