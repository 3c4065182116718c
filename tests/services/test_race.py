"""Two reviews racing for one annotation on two real database connections: one wins."""

import threading

import pytest
from django.db import connection, connections

from annotations.domain.errors import Conflict
from annotations.models import Status
from annotations.services.reviews import annotation_approve, annotation_reject

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(*calls):
    """Run each call in its own thread (so its own connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the loser's Conflict is the point of the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("rounds", [range(5)])
def test_two_reviewers_racing_one_wins_the_other_gets_conflict(
    annotator, reviewer, other_reviewer, article, make_annotation, rounds
):
    for _ in rounds:
        annotation = make_annotation(annotator, article)  # a fresh one-code-point claim each round
        outcomes = race(
            lambda a=annotation: annotation_approve(actor=reviewer, annotation_id=a.id),
            lambda a=annotation: annotation_reject(actor=other_reviewer, annotation_id=a.id, comment="no"),
        )
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
        annotation.refresh_from_db()
        assert annotation.status == winners[0].status != Status.PENDING
        reviews = list(annotation.events.exclude(action="created").values_list("action", flat=True))
        assert reviews == [annotation.status]


def test_racing_api_requests_one_gets_409(client_for, annotator, reviewer, other_reviewer, article, make_annotation):
    annotation = make_annotation(annotator, article, quote="Prime")
    clients = [client_for(reviewer), client_for(other_reviewer)]
    outcomes = race(*[lambda c=c: c.post(f"/api/annotations/{annotation.id}/approve/", {}) for c in clients])
    assert sorted(r.status_code for r in outcomes) == [200, 409]
    assert annotation.events.filter(action="approved").count() == 1
