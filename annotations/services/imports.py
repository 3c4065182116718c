"""Storing whole files of articles in bulk (import_articles): each file all or nothing."""

from django.db import IntegrityError, transaction

from annotations.models import Article


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
