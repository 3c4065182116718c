"""selectors/desk.py: what the desk's home shows each user, in a fixed number of queries."""

import pytest

from annotations.selectors.desk import desk_home, review_queue_size
from annotations.services.annotations import annotation_update
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.factories import AnnotationFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def test_consumers_and_users_without_a_role_get_no_home(consumer, django_user_model):
    assert desk_home(consumer) is None
    assert desk_home(django_user_model.objects.create_user("nobody")) is None


def test_the_review_queue_is_pending_work_by_others_that_the_reviewer_never_edited(
    annotator, reviewer, admin_user, article
):
    by_alice = AnnotationFactory(article=article, created_by=annotator)
    AnnotationFactory(article=article, created_by=reviewer)  # bob's own
    AnnotationFactory(article=article, created_by=annotator, status="approved")  # not pending
    edited_by_root = AnnotationFactory(article=article, created_by=annotator)
    annotation_update(actor=admin_user, annotation_id=edited_by_root.pk, note="root's words")  # root is an author now
    assert desk_home(reviewer).review_queue.count == 2  # alice's two (one edited by root), not his own
    # root: alice's unedited one and bob's; not the one root edited (four eyes counts editors).
    assert (desk_home(admin_user).review_queue.count, desk_home(admin_user).review_queue.more) == (2, False)
    assert desk_home(annotator).review_queue is None  # annotators do not review
    annotation_approve(actor=reviewer, annotation_id=by_alice.pk)
    assert desk_home(admin_user).review_queue.count == 1


def test_the_queue_is_counted_up_to_a_cap(annotator, reviewer, article):
    AnnotationFactory.create_batch(3, article=article, created_by=annotator)
    assert review_queue_size(reviewer, counted_up_to=2) == type(review_queue_size(reviewer))(count=2, more=True)
    assert review_queue_size(reviewer, counted_up_to=3).more is False


def test_the_inbox_is_my_rejected_annotations_newest_rejection_first_with_the_comments(
    annotator, other_annotator, reviewer, other_reviewer, article
):
    first = AnnotationFactory(article=article, created_by=annotator)
    second = AnnotationFactory(article=article, created_by=annotator)
    theirs = AnnotationFactory(article=article, created_by=other_annotator)
    annotation_reject(actor=reviewer, annotation_id=first.pk, comment="Too short.")
    annotation_reject(actor=other_reviewer, annotation_id=second.pk, comment="Not a claim.")
    annotation_reject(actor=reviewer, annotation_id=theirs.pk, comment="Carol's.")
    inbox = desk_home(annotator).rejected
    assert [(a.pk, a.reviewed_by.username, a.review_comment) for a in inbox] == [
        (second.pk, "dave", "Not a claim."),
        (first.pk, "bob", "Too short."),
    ]
    assert inbox[0].article.title == "Mixed scripts"
    annotation_update(actor=annotator, annotation_id=first.pk, note="longer now")  # pending again: out of the inbox
    assert [a.pk for a in desk_home(annotator).rejected] == [second.pk]


def test_the_inbox_holds_twenty(annotator, reviewer):
    article = ArticleFactory(body="x" * 30)
    AnnotationFactory.create_batch(21, article=article, created_by=annotator, rejected=True, reviewed_by=reviewer)
    assert len(desk_home(annotator).rejected) == 20


def test_pending_by_article_most_first_ten_at_most(annotator, reviewer):
    articles = [ArticleFactory(title=f"Story {n}", body=f"Story {n}: " + "y" * 20) for n in range(12)]
    for n, article in enumerate(articles):
        AnnotationFactory.create_batch(n + 1, article=article, created_by=annotator)
    AnnotationFactory(article=articles[0], created_by=annotator, status="approved", reviewed_by=reviewer)
    rows = desk_home(reviewer).pending_by_article
    assert [(row.title, row.pending) for row in rows] == [(f"Story {n}", n + 1) for n in range(11, 1, -1)]
    assert rows[0].article_id == articles[11].pk


def test_recent_activity_is_the_last_ten_events_newest_first(annotator, reviewer, article):
    made = AnnotationFactory.create_batch(6, article=article, created_by=annotator)  # 6 creations
    for annotation in made:
        annotation_reject(actor=reviewer, annotation_id=annotation.pk, comment="no")  # 6 rejections
    activity = desk_home(annotator).activity
    assert len(activity) == 10
    assert [(e.actor.username, e.action) for e in activity[:6]] == [("bob", "rejected")] * 6
    assert [e.annotation_id for e in activity[:6]] == [a.pk for a in reversed(made)]
    assert [(e.actor.username, e.action) for e in activity[6:]] == [("alice", "created")] * 4


@pytest.mark.parametrize("rows", [2, 20])
def test_the_home_costs_the_same_queries_however_many_rows(
    rows, annotator, reviewer, django_user_model, django_assert_num_queries
):
    for n in range(rows):
        article = ArticleFactory(title=f"Story {n}", body=f"Story {n}: text")
        AnnotationFactory(article=article, created_by=annotator)
        AnnotationFactory(article=article, created_by=reviewer, rejected=True)
    signed_in = django_user_model.objects.get(pk=reviewer.pk)  # as a request has it: no role read yet
    # The reviewer's role (their groups), then the queue, the inbox, the articles, the activity
    # and the annotations to re-anchor.
    with django_assert_num_queries(6):
        home = desk_home(signed_in)
        assert (home.review_queue.count, len(home.rejected)) == (rows, rows)
        assert len(home.pending_by_article) == min(rows, 10) and len(home.activity) == min(3 * rows, 10)
        # What the page reads of each row comes with it.
        assert all(a.article.title and a.reviewed_by.username for a in home.rejected)
        assert all(e.actor.username and e.annotation.quote and e.annotation.article.title for e in home.activity)
