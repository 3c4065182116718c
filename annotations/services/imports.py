"""Storing whole files of articles in bulk (import_articles): each file all or nothing."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from annotations.domain.quality import count_words
from annotations.models import Article, ArticleRevision
from annotations.services.revisions import article_revise, revision_first


@dataclass(frozen=True)
class FileResult:
    imported: int = 0  # new articles
    revised: int = 0  # new revisions of articles stored before under the same url
    skipped: int = 0  # bodies already stored (as any revision of any article)


def articles_import(records_by_file: list[list[dict]], *, note: str = "") -> list[FileResult]:
    """Store the articles of several parsed files; return what became of each file's records.

    Each record is validated article fields with `content_sha256`. One
    transaction covers the batch, so every file in it is stored whole or not
    at all. A body already stored (or repeated earlier in the batch) is
    skipped; an article whose `url` is already stored with another body is a
    new revision of that article (its annotations re-anchored), not a new
    article. Should a concurrent import win a race for a body, the batch is
    rolled back and its files are stored one transaction each instead.
    """
    try:
        with transaction.atomic():
            return _store(records_by_file, note=note)
    except IntegrityError:
        results = []
        for records in records_by_file:
            with transaction.atomic():
                results.extend(_store([records], note=note))
        return results


def _store(records_by_file: list[list[dict]], *, note: str) -> list[FileResult]:
    shas = [record["content_sha256"] for records in records_by_file for record in records]
    seen = set(Article.objects.filter(content_sha256__in=shas).values_list("content_sha256", flat=True))
    seen |= set(ArticleRevision.objects.filter(content_sha256__in=shas).values_list("content_sha256", flat=True))
    urls = {record["url"] for records in records_by_file for record in records if record.get("url")}
    # The newest article of each url stored (several may share one: the newest is revised).
    by_url: dict[str, Article | int] = dict(
        Article.objects.filter(url__in=urls).order_by("id").values_list("url", "id")
    )
    new_articles: list[Article] = []

    def insert_new():
        Article.objects.bulk_create(new_articles, batch_size=500)
        ArticleRevision.objects.bulk_create([revision_first(a) for a in new_articles], batch_size=500)
        new_articles.clear()

    results = []
    for records in records_by_file:
        imported = revised = 0
        for record in records:
            if record["content_sha256"] in seen:
                continue
            seen.add(record["content_sha256"])
            target = by_url.get(record.get("url") or None)
            if target is None:
                article = Article(**record, word_count=count_words(record["body"]))
                new_articles.append(article)
                if record.get("url"):
                    by_url[record["url"]] = article
                imported += 1
                continue
            if isinstance(target, Article) and target.pk is None:
                insert_new()  # the article this revises is earlier in the batch: store it first
            article_revise(
                actor=None,
                article_id=target if isinstance(target, int) else target.pk,
                body=record["body"],
                title=record["title"],
                note=note or f"imported from {record.get('imported_from') or 'a file'}",
            )
            revised += 1
        results.append(FileResult(imported, revised, len(records) - imported - revised))
    insert_new()
    return results
