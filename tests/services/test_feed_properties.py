"""Property: whatever the sequence of creations, reviews, bulk reviews, deletions and revisions,
a mirror that follows the change feed from empty holds exactly what the export holds, after
every step, with no change skipped or repeated (tests/mirror.py is strict about both).

Hypothesis draws the sequences; each runs in a savepoint rolled back afterwards, so every
example starts from an empty feed.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.domain.errors import DomainError
from annotations.models import Annotation
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.reviews import annotation_review, annotations_review_bulk
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory
from tests.mirror import Mirror, exported
from tests.services.test_revisions import NEW, OLD

pytestmark = pytest.mark.django_db

# Each article's bodies: revising picks one, so spans move, change, vanish and come back.
THIRD = NEW.replace("Prices of rice rose by ten percent", "Prices of rice rose sharply").replace("Delegates", "Envoys")
# Each article's own versions (a body stored for one article cannot be another's).
BODIES = [[f"{body}\n\n(Copy {n}.)" for body in (OLD, NEW, THIRD)] for n in range(2)]
QUOTES = [
    "GENEVA, 3 March",
    "Prices of rice rose by ten percent",
    "opened on Monday",
    "Delegates from forty countries",
    "the citizens of the State of Sakura",
    "A new opening paragraph",
    "summit in Geneva",
]
KINDS = ["claim", "entity", "translation_artifact"]
TYPES = {"claim": {}, "entity": {"entity_type": "LOC"}, "translation_artifact": {"artifact_type": "mistranslation"}}

step = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.sampled_from(QUOTES), st.sampled_from(KINDS)),
    st.tuples(st.sampled_from(["approve", "reject", "reopen", "delete"]), st.integers(0, 30)),
    st.tuples(st.just("bulk"), st.sampled_from(["approve", "reopen"]), st.lists(st.integers(0, 30), max_size=5)),
    st.tuples(st.just("revise"), st.integers(0, 1), st.integers(0, 2)),
)


@pytest.fixture
def cast(annotator, reviewer, admin_user):
    return {"annotator": annotator, "reviewer": reviewer, "admin": admin_user}


@pytest.fixture
def articles(db):
    return [ArticleFactory(title=f"Summit {n}", body=BODIES[n][n]) for n in range(2)]


def _nth_annotation(n: int) -> Annotation | None:
    ids = list(Annotation.objects.order_by("id").values_list("id", flat=True))
    return ids[n % len(ids)] if ids else None


def _run(action: tuple, cast: dict, articles: list) -> None:
    name, *args = action
    if name == "create":
        which, quote, kind = args
        annotation_create(actor=cast["annotator"], article=articles[which], kind=kind, quote=quote, **TYPES[kind])
    elif name == "revise":
        which, body = args
        article_revise(actor=cast["annotator"], article_id=articles[which].pk, body=BODIES[which][body])
    elif name == "bulk":
        decision, picks = args
        ids = [pk for pk in map(_nth_annotation, picks) if pk is not None]
        annotations_review_bulk(actor=cast["reviewer"], annotation_ids=ids, decision=decision, comment="bulk")
    elif (pk := _nth_annotation(args[0])) is not None:
        if name == "delete":
            annotation_delete(actor=cast["admin"], annotation_id=pk)
        else:
            annotation_review(actor=cast["reviewer"], annotation_id=pk, decision=name, comment="because")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_a_mirror_following_the_feed_always_equals_the_export(cast, articles, steps):
    savepoint = transaction.savepoint()
    try:
        mirror = Mirror()
        for action in steps:
            try:
                with transaction.atomic():
                    _run(action, cast, articles)
            except DomainError:
                pass  # a refusal (a duplicate span, a review of one's own...) changes nothing
            mirror.follow(limit=7)
            assert mirror.records == exported(), f"after {action}"
    finally:
        transaction.savepoint_rollback(savepoint)
