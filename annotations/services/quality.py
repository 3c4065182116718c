"""Keeping each article's error tally: its approved, unfixed translation artifacts counted by
type and severity (models.ArticleErrorTally), from which its MQM score is read.

`recount_errors` runs in the transaction that changes the approved set, from
`feed.publish`, which every such change goes through, after the feed's lock: so
the recounts of one article are one at a time, and each sees the previous
one committed (a transaction's statements see what committed before them, on
PostgreSQL's default READ COMMITTED), and the tally never counts an approval
twice nor misses one. Recounting the article's artifacts (a few hundred at
most, from the (article, status) index) is simpler to keep right than adding
and subtracting for each kind of change.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from annotations.models import ArticleErrorTally
from annotations.query.quality import scored_errors
from annotations.services.feedlock import lock_feed


def recount_errors(article_ids: Iterable[int]) -> None:
    """Count the articles' scored errors afresh, in the caller's transaction."""
    article_ids = sorted(set(article_ids))
    if not article_ids:
        return
    ArticleErrorTally.objects.filter(article_id__in=article_ids).delete()
    _insert_tallies(scored_errors().filter(article_id__in=article_ids))


def recount_all_errors() -> None:
    """Count every article's scored errors afresh: after a bulk load, or to mend the tallies."""
    with transaction.atomic():
        lock_feed()  # no approval may change a tally between the delete and the insert
        ArticleErrorTally.objects.all().delete()
        _insert_tallies(scored_errors())


def _insert_tallies(errors) -> None:
    groups = (
        errors.order_by()
        .values("article_id", "artifact_type", "severity")
        .annotate(n=Count("pk"))
        .values_list("article_id", "artifact_type", "severity", "n")
    )
    ArticleErrorTally.objects.bulk_create(
        (ArticleErrorTally(article_id=a, artifact_type=t, severity=s, count=n) for a, t, s, n in groups.iterator()),
        batch_size=5000,
    )
