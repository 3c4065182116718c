"""selectors/annotations.py: who sees which annotations, their history, and what an export reads."""

import pytest
from django.http import QueryDict

from annotations.domain.errors import InvalidInput
from annotations.selectors.annotations import (
    annotation_history,
    annotations_for_export,
    annotations_visible_to,
    usernames_of,
)
from annotations.services.reviews import annotation_reopen
from tests.factories import AnnotationFactory, ApprovedClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statuses(annotator, other_annotator, reviewer, article):
    """alice's approved claim (reviewed by bob), carol's pending one, and alice's rejected one."""
    return {
        "approved": ApprovedClaimFactory(article=article, created_by=annotator, reviewed_by=reviewer),
        "pending": AnnotationFactory(article=article, created_by=other_annotator),
        "rejected": AnnotationFactory(article=article, created_by=annotator, reviewed_by=reviewer, rejected=True),
    }


def test_consumers_see_approved_annotations_and_annotators_all(statuses, consumer, annotator, admin_user):
    def visible(user):
        return sorted(annotations_visible_to(user).values_list("id", flat=True))

    assert visible(consumer) == [statuses["approved"].pk]
    assert visible(annotator) == visible(admin_user) == sorted(a.pk for a in statuses.values())


def test_visible_annotations_bring_their_authors_and_reviewers(statuses, annotator, django_assert_num_queries):
    """One query for the rows and the usernames the API shows (no query per row)."""
    annotations_visible_to(annotator)  # the role is looked up (and kept) outside the count
    with django_assert_num_queries(1):
        shown = [
            (a.pk, a.created_by.username, a.reviewed_by and a.reviewed_by.username)
            for a in annotations_visible_to(annotator).order_by("id")
        ]
    assert shown == [
        (statuses["approved"].pk, "alice", "bob"),
        (statuses["pending"].pk, "carol", None),
        (statuses["rejected"].pk, "alice", "bob"),
    ]


def test_exports_read_approved_annotations_whatever_status_is_asked(statuses):
    assert list(annotations_for_export(params=QueryDict("status=pending"))) == [statuses["approved"]]
    assert list(annotations_for_export(params=QueryDict("kind=entity"))) == []


def test_an_invalid_export_filter_is_refused_by_name(statuses):
    with pytest.raises(InvalidInput) as excinfo:
        annotations_for_export(params=QueryDict("kind=opinion&created_after=soon"))
    assert excinfo.value.errors == {
        "kind": ["Select a valid choice. opinion is not one of the available choices."],
        "created_after": ["Enter a valid date/time."],
    }


def test_history_is_oldest_first(statuses, other_reviewer):
    rejected = statuses["rejected"]
    annotation_reopen(actor=other_reviewer, annotation_id=rejected.pk, comment="second look")
    history = list(annotation_history(annotation=rejected).values_list("action", "actor__username"))
    assert history == [("created", "alice"), ("rejected", "bob"), ("reopened", "dave")]


def test_usernames_of_authors_and_reviewers(statuses):
    """The names the list's created_by and reviewed_by filters accept, sorted."""
    assert usernames_of("created_by") == ["alice", "carol"]
    assert usernames_of("reviewed_by") == ["bob"]
