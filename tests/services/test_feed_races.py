"""The feed's guarantee under concurrent writers, on real PostgreSQL connections.

A change's position is taken in commit order (services/feed.py): a writer holding the feed
lock keeps every later writer's change out of sight until it commits, so a reader that
follows the feed while others write never moves past a change that will appear later.
The stress test runs approvals, reopenings, bulk reviews, deletions and revisions in
threads against a reader following the feed: at the end its mirror equals the export, and
tests/mirror.py has checked that no change came twice and none was skipped.
"""

import contextlib
import random
import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from annotations.domain.errors import DomainError
from annotations.models import Annotation, Article, Change, Status
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.reviews import annotation_approve, annotation_review, annotations_review_bulk
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory
from tests.mirror import Mirror, exported
from tests.services.test_feed_properties import QUOTES
from tests.services.test_revision_races import Side, holding, wait_until_someone_waits_for_a_lock
from tests.services.test_revisions import NEW, OLD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def test_a_change_committed_later_is_never_seen_before_one_in_flight(annotator, reviewer, article):
    """A approves and holds its transaction open; B approves another annotation meanwhile. B's
    change cannot be seen (nor take a position) before A's: it waits for A's commit."""
    first, second = (
        annotation_create(actor=annotator, article=article, kind="claim", quote=quote)
        for quote in ("Kyiv was calm", "The end")
    )
    with holding(lambda: annotation_approve(actor=reviewer, annotation_id=first.pk)):
        later = Side(lambda: annotation_approve(actor=reviewer, annotation_id=second.pk))
        later.start()
        wait_until_someone_waits_for_a_lock()  # B waits for the feed lock that A holds
        assert list(Change.objects.all()) == []  # a reader sees neither
        assert Annotation.objects.get(pk=second.pk).status == Status.PENDING
    assert later.outcome().status == Status.APPROVED
    assert list(Change.objects.order_by("id").values_list("annotation_id", flat=True)) == [first.pk, second.pk]


def test_a_reader_following_concurrent_writers_ends_with_the_export(make_user, annotator, reviewer, admin_user):
    rng = random.Random(13)
    articles = [ArticleFactory(title=f"Summit {n}", body=f"{OLD}\n\n(Copy {n}.)") for n in range(3)]
    bodies = {a.pk: [f"{body}\n\n(Copy {n}.)" for body in (OLD, NEW)] for n, a in enumerate(articles)}
    for article in articles:
        for quote in QUOTES:
            with contextlib.suppress(DomainError):  # not in this body
                annotation_create(actor=annotator, article=article, kind="claim", quote=quote)
    other_reviewer = make_user("reviewer", "olga")
    stop, failures = threading.Event(), []

    def ids() -> list[int]:
        return list(Annotation.objects.values_list("id", flat=True))

    def writer(name, step):
        def run():
            local = random.Random(name)
            try:
                while not stop.is_set():
                    with contextlib.suppress(DomainError):  # refused: not pending, gone, a lost race...
                        step(local)
            except Exception as exc:  # anything else (a deadlock, a constraint) fails the test
                failures.append(f"{name}: {exc!r}")
            finally:
                connections.close_all()

        return threading.Thread(target=run, name=name, daemon=True)

    def approve(local):
        pending = list(Annotation.objects.filter(status=Status.PENDING).values_list("id", flat=True))
        if pending:
            annotation_approve(actor=local.choice([reviewer, other_reviewer]), annotation_id=local.choice(pending))

    def reopen(local):
        if chosen := ids():
            annotation_review(actor=other_reviewer, annotation_id=local.choice(chosen), decision="reopen")
        time.sleep(0.005)

    def bulk(local):
        chosen = local.sample(ids(), k=min(5, len(ids())))
        annotations_review_bulk(actor=reviewer, annotation_ids=chosen, decision=local.choice(["approve", "reopen"]))

    def delete_and_create(local):
        if (chosen := ids()) and local.random() < 0.3:
            annotation_delete(actor=admin_user, annotation_id=local.choice(chosen))
        article = local.choice(articles)
        article.refresh_from_db()
        annotation_create(actor=annotator, article=article, kind="claim", quote=local.choice(QUOTES))

    def revise(local):
        article = local.choice(articles)
        current = Article.objects.get(pk=article.pk).body
        body = next(b for b in bodies[article.pk] if b != current)
        article_revise(actor=annotator, article_id=article.pk, body=body)
        time.sleep(0.02)

    writers = [
        writer(name, step)
        for name, step in [
            ("approve-1", approve),
            ("approve-2", approve),
            ("reopen", reopen),
            ("bulk", bulk),
            ("delete-create", delete_and_create),
            ("revise", revise),
        ]
    ]
    mirror, read = Mirror(), []

    def reader():
        try:
            while not stop.is_set():
                read.append(mirror.follow(limit=rng.choice([1, 3, 10, 50])))
        except Exception as exc:
            failures.append(f"reader: {exc!r}")
        finally:
            connections.close_all()

    threads = [*writers, threading.Thread(target=reader, name="reader", daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), f"{thread.name} did not stop"
    assert failures == []
    mirror.follow()  # what committed after the reader's last look
    total = Change.objects.count()
    assert total > 100, f"too few changes ({total}) to say anything"
    assert sum(read) > total / 2, "the reader read too little while the writers wrote"
    assert set(Change.objects.values_list("type", flat=True)) == {
        "annotation.approved",
        "annotation.updated",
        "annotation.withdrawn",
    }
    assert mirror.records == exported()
    assert len(mirror.seen) == total


def test_a_deletion_waiting_for_a_revision_does_not_deadlock(annotator, reviewer, admin_user):
    """A revision locks the article, then its annotations. A deletion used to lock the
    annotation, then (keeping what it was, which refers to the article) the article: each
    waited for the other. Now a deletion locks the article first too."""
    article = ArticleFactory(title="Summit", body=OLD)
    made = [annotation_create(actor=annotator, article=article, kind="claim", quote=q) for q in QUOTES[:4]]
    annotation_approve(actor=reviewer, annotation_id=made[2].pk)
    with holding(lambda: annotation_approve(actor=reviewer, annotation_id=made[1].pk)):
        revision = Side(lambda: article_revise(actor=annotator, article_id=article.pk, body=NEW))
        revision.start()
        wait_until_someone_waits_for_a_lock()  # the revision holds the article and made[0], waits for made[1]
        # made[2], not yet reached by the revision: a deletion that locked it first deadlocked.
        deletion = Side(lambda: annotation_delete(actor=admin_user, annotation_id=made[2].pk))
        deletion.start()
        time.sleep(0.2)
    outcomes = [revision.outcome(), deletion.outcome()]
    assert not [o for o in outcomes if isinstance(o, OperationalError)], outcomes
    mirror = Mirror()
    mirror.follow()
    assert mirror.records == exported()
