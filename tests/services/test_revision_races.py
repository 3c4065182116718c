"""A revision racing annotation writes on real PostgreSQL connections: creations, reviews and
another revision. Each test holds one side's row lock in its own thread, waits until the
other side is seen waiting for that lock (pg_stat_activity), then lets the first commit.

Whatever the order, the outcome is one of the consistent ones: an annotation is on the text
of the article's current revision (or orphaned from an earlier one), a creation on an old
revision is refused naming the current one, and the history tells the changes in the order
that explains the status.
"""

import threading
import time
from contextlib import contextmanager
from itertools import pairwise

import pytest
from django.db import connection, connections, transaction

from annotations.domain.errors import Conflict
from annotations.models import Annotation, Article, ArticleRevision, Status
from annotations.selectors.annotations import annotation_history
from annotations.services import reviews
from annotations.services import revisions as revisions_service
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory
from tests.services.test_revisions import NEW, OLD, assert_anchored

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

TIMEOUT = 10


class Side(threading.Thread):
    """A call in its own thread (so on its own connection): `result` is what it returned or raised."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.result = call, None

    def run(self):
        try:
            self.result = self.call()
        except Exception as exc:  # a Conflict may be the point of the test
            self.result = exc
        finally:
            connections.close_all()

    def outcome(self):
        self.join(TIMEOUT)
        assert not self.is_alive(), "the thread is still running: a lock was never released"
        return self.result


def wait_until_someone_waits_for_a_lock() -> None:
    """Until another connection of this database is blocked on a lock (a row lock's transaction id)."""
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no connection ever waited for the lock")


@contextmanager
def holding(call):
    """Run `call` in a thread inside a transaction that stays open (its locks held) until the
    block ends; yields once `call` has returned. Returns its result via the thread."""
    done, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            result = call()
            done.set()
            assert release.wait(TIMEOUT)
        return result

    side = Side(hold)
    side.start()
    try:
        assert done.wait(TIMEOUT), side.outcome()
        yield side
    finally:
        release.set()
    side.outcome()


def assert_history_agrees(annotation: Annotation, *, as_shown: bool = True) -> None:
    """The history is a chain of statuses ending in the current one: in the order the API shows
    it, or (as_shown=False) in the order the events were stored."""
    annotation = Annotation.objects.get(pk=annotation.pk)
    events = list(annotation_history(annotation=annotation) if as_shown else annotation.events.order_by("id"))
    chain = [(e.action, e.from_status, e.to_status) for e in events]
    assert events[0].action == "created", chain
    for before, after in pairwise(events):
        assert after.from_status == before.to_status, chain
    assert events[-1].to_status == annotation.status, chain


@pytest.fixture
def wire(annotator):
    return ArticleFactory(title="Summit", body=OLD)


# --- a creation and a revision ----------------------------------------------------------


def test_a_creation_on_the_old_revision_waits_for_the_revision_and_is_refused(wire, annotator, make_user):
    editor = make_user("annotator", "ed")
    with holding(lambda: article_revise(actor=editor, article_id=wire.pk, body=NEW)):
        create = Side(
            lambda: annotation_create(actor=annotator, article=wire, kind="claim", quote="summit", revision=1)
        )
        create.start()
        wait_until_someone_waits_for_a_lock()
    result = create.outcome()
    assert isinstance(result, Conflict), result
    assert result.extra == {"revision": 2}
    assert not Annotation.objects.filter(article=wire).exists()
    assert_anchored(wire)


def test_a_creation_by_quote_that_waited_for_a_revision_lands_on_the_new_body(wire, annotator, make_user):
    editor = make_user("annotator", "ed")
    with holding(lambda: article_revise(actor=editor, article_id=wire.pk, body=NEW)):
        create = Side(lambda: annotation_create(actor=annotator, article=wire, kind="claim", quote="summit"))
        create.start()
        wait_until_someone_waits_for_a_lock()
    made = create.outcome()
    assert isinstance(made, Annotation), made
    assert (made.revision, NEW[made.start : made.end]) == (2, "summit")
    assert_anchored(wire)


@pytest.mark.parametrize(
    ("quote", "outcome"), [("rose by ten percent", "moved"), ("strike at the airport", "orphaned")]
)
def test_a_revision_that_waited_for_a_creation_re_anchors_it(wire, annotator, make_user, quote, outcome):
    """The annotation committed on revision 1 just before: the revision sees it and re-anchors it."""
    editor = make_user("annotator", "ed")
    with holding(lambda: annotation_create(actor=annotator, article=wire, kind="claim", quote=quote)) as create:
        revise = Side(lambda: article_revise(actor=editor, article_id=wire.pk, body=NEW))
        revise.start()
        wait_until_someone_waits_for_a_lock()
    revised = revise.outcome()
    assert not isinstance(revised, Exception), revised
    made = Annotation.objects.get(pk=create.outcome().pk)
    assert revised.reanchoring[outcome] == 1
    assert [(e.action, e.from_revision, e.to_revision) for e in made.events.exclude(action="created")] == [
        (outcome, 1, 2)
    ]
    assert made.revision == (2 if outcome == "moved" else 1)
    assert_anchored(wire)
    assert_history_agrees(made)


@pytest.mark.parametrize("rounds", [range(6)])
def test_creations_and_revisions_racing_freely_stay_consistent(annotator, make_user, rounds):
    """Released together, in whichever order the locks give: never a span on a body it was not read from."""
    editor = make_user("annotator", "ed")
    article = ArticleFactory(body=OLD)
    types = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"]
    for n in rounds:
        read = Article.objects.get(pk=article.pk).revision
        body = (NEW if n % 2 == 0 else OLD) + f"\n\nRound {n}."
        barrier = threading.Barrier(2)

        def create(entity_type=types[n], read=read, barrier=barrier):
            barrier.wait(TIMEOUT)
            return annotation_create(
                actor=annotator, article=article, kind="entity", entity_type=entity_type, quote="summit", revision=read
            )

        def revise(body=body, barrier=barrier):
            barrier.wait(TIMEOUT)
            return article_revise(actor=editor, article_id=article.pk, body=body)

        sides = [Side(create), Side(revise)]
        for side in sides:
            side.start()
        made, revised = (side.outcome() for side in sides)
        assert not isinstance(revised, Exception), revised
        if isinstance(made, Exception):
            assert isinstance(made, Conflict) and made.extra == {"revision": read + 1}, made
        else:
            assert Annotation.objects.get(pk=made.pk).revision == read + 1  # made, then re-anchored
        assert_anchored(article)


# --- a review and a revision ------------------------------------------------------------


def test_an_approval_holding_the_annotation_when_a_revision_comes_is_then_re_anchored(
    wire, annotator, reviewer, make_user, monkeypatch
):
    """The approval locks the annotation and is still deciding when the revision starts: the
    revision waits for it, then makes the approved annotation fuzzy, pending again."""
    editor = make_user("annotator", "ed")
    claim = annotation_create(actor=annotator, article=wire, kind="claim", quote="opened on Monday with a statement")
    locked, go_on = threading.Event(), threading.Event()
    authors = reviews.annotation_authors

    def slow_authors(annotation):  # runs with the annotation locked, before the approval's clock
        locked.set()
        assert go_on.wait(TIMEOUT)
        return authors(annotation)

    monkeypatch.setattr(reviews, "annotation_authors", slow_authors)
    approve = Side(lambda: annotation_approve(actor=reviewer, annotation_id=claim.pk))
    approve.start()
    assert locked.wait(TIMEOUT)
    revise = Side(lambda: article_revise(actor=editor, article_id=wire.pk, body=NEW))
    revise.start()
    wait_until_someone_waits_for_a_lock()
    go_on.set()
    assert approve.outcome().status == Status.APPROVED
    assert revise.outcome().reanchoring["fuzzy"] == 1
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (Status.PENDING, None)
    actions = [e.action for e in annotation_history(annotation=claim)]
    assert actions == ["created", "approved", "fuzzy"]
    assert_history_agrees(claim)
    assert_anchored(wire)


def test_an_approval_that_waited_for_a_revision_approves_the_re_anchored_span(wire, annotator, reviewer, make_user):
    """The revision holds the annotation when the approval comes: the approval then finds it pending
    (fuzzy) on the new text and approves it there. (Approvals carry no revision to refuse on.)"""
    editor = make_user("annotator", "ed")
    claim = annotation_create(actor=annotator, article=wire, kind="claim", quote="opened on Monday with a statement")
    with holding(lambda: article_revise(actor=editor, article_id=wire.pk, body=NEW)):
        approve = Side(lambda: annotation_approve(actor=reviewer, annotation_id=claim.pk))
        approve.start()
        wait_until_someone_waits_for_a_lock()
    approved = approve.outcome()
    assert not isinstance(approved, Exception), approved
    claim.refresh_from_db()
    assert (claim.status, claim.revision, claim.quote) == (Status.APPROVED, 2, "began on Monday with a statement")
    assert [e.action for e in annotation_history(annotation=claim)] == ["created", "fuzzy", "approved"]
    assert_history_agrees(claim)
    assert_anchored(wire)


@pytest.mark.parametrize("rounds", [range(6)])
def test_approvals_and_revisions_racing_freely_leave_a_history_that_explains_the_status(
    annotator, reviewer, make_user, rounds
):
    """Whichever wins, the history, stored and as the API shows it (by time), tells the status."""
    editor = make_user("annotator", "ed")
    for n in rounds:
        article = ArticleFactory(body=OLD.replace("GENEVA", f"GENEVA {n}"))
        claim = annotation_create(
            actor=annotator, article=article, kind="claim", quote="opened on Monday with a statement"
        )
        barrier = threading.Barrier(2)

        def approve(claim=claim, barrier=barrier):
            barrier.wait(TIMEOUT)
            return annotation_approve(actor=reviewer, annotation_id=claim.pk)

        def revise(article=article, n=n, barrier=barrier):
            barrier.wait(TIMEOUT)
            return article_revise(actor=editor, article_id=article.pk, body=NEW.replace("GENEVA", f"GENEVA {n}"))

        sides = [Side(approve), Side(revise)]
        for side in sides:
            side.start()
        approved, revised = (side.outcome() for side in sides)
        assert not isinstance(approved, Exception), approved
        assert not isinstance(revised, Exception), revised
        claim.refresh_from_db()
        actions = [e.action for e in claim.events.order_by("id")]
        assert actions in (["created", "approved", "fuzzy"], ["created", "fuzzy", "approved"]), actions
        assert claim.status == (Status.PENDING if actions[-1] == "fuzzy" else Status.APPROVED)
        assert_history_agrees(claim, as_shown=False)
        assert_history_agrees(claim, as_shown=True)
        assert_anchored(article)


# --- two revisions to one body --------------------------------------------------------------


def test_two_articles_revised_to_one_body_at_once_one_gets_a_conflict(make_user, monkeypatch):
    editor = make_user("annotator", "ed")
    first, second = ArticleFactory(body="First article."), ArticleFactory(body="Second article.")
    both_checked = threading.Barrier(2)
    reanchor = revisions_service._reanchor_annotations

    def after_the_check(*args, **kwargs):  # each has found no article with the body
        summary = reanchor(*args, **kwargs)
        both_checked.wait(TIMEOUT)
        return summary

    monkeypatch.setattr(revisions_service, "_reanchor_annotations", after_the_check)
    sides = [
        Side(lambda a=a: article_revise(actor=editor, article_id=a.pk, body="The same new body."))
        for a in (first, second)
    ]
    for side in sides:
        side.start()
    outcomes = [side.outcome() for side in sides]
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict), repr(losers[0])
    assert losers[0].extra == {"id": winners[0].article.pk}
    assert ArticleRevision.objects.filter(content_sha256=winners[0].article.content_sha256).count() == 1
