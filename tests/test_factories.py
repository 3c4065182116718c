"""tests/factories.py makes what its docstring promises: rows the services would make."""

import pytest

from annotations.domain.articles import body_sha256
from annotations.domain.roles import Role
from annotations.domain.spans import span_context
from annotations.models import Annotation, Status
from annotations.selectors.users import user_role
from tests.factories import (
    AnnotationFactory,
    ApprovedClaimFactory,
    ArticleFactory,
    UserFactory,
    bulk_claims,
    span_of,
)

pytestmark = pytest.mark.django_db


def test_users_have_one_role_and_their_name_as_password():
    user = UserFactory(role="reviewer", username="rita")
    assert (user_role(user), user.check_password("rita"), user.is_staff) == (Role.REVIEWER, True, True)
    assert list(user.groups.values_list("name", flat=True)) == ["reviewer"]


def test_articles_are_stored_normalised_and_fingerprinted():
    article = ArticleFactory(body="\ufeffOne\r\nTwo")
    assert (article.body, article.content_sha256) == ("One\nTwo", body_sha256("One\nTwo"))
    assert ArticleFactory().body != ArticleFactory().body


def test_annotations_without_a_span_take_free_code_points(annotator, article):
    made = AnnotationFactory.create_batch(3, article=article, created_by=annotator)
    assert [(a.start, a.end, a.quote) for a in made] == [(i, i + 1, article.body[i]) for i in range(3)]
    assert all(a.events.get().action == "created" for a in made)


def test_approved_annotations_are_reviewed_by_someone_else_through_the_service(annotator, reviewer, article):
    mine = ApprovedClaimFactory(article=article, created_by=annotator, reviewed_by=reviewer, quote="Kyiv was calm")
    stranger = ApprovedClaimFactory(article=article, created_by=annotator, quote="Prime")
    assert (mine.status, mine.reviewed_by, mine.quote) == (Status.APPROVED, reviewer, "Kyiv was calm")
    assert [e.action for e in mine.events.order_by("at", "id")] == ["created", "approved"]
    assert stranger.reviewed_by not in (None, annotator)
    assert user_role(stranger.reviewed_by) is Role.REVIEWER
    rejected = AnnotationFactory(article=article, created_by=annotator, reviewed_by=reviewer, rejected=True)
    assert (rejected.status, rejected.review_comment) == (Status.REJECTED, "Not what the text says.")


def test_bulk_claims_are_the_rows_the_services_would_store_without_history(annotator, reviewer):
    made = bulk_claims(40, created_by=annotator, reviewed_by=reviewer)
    stored = list(Annotation.objects.select_related("article").order_by("id"))
    assert [a.pk for a in stored] == [a.pk for a in made]
    for at, annotation in enumerate(stored):
        body = annotation.article.body
        assert (annotation.start, annotation.end, annotation.quote) == (at, at + 1, body[at])
        assert (annotation.prefix, annotation.suffix) == span_context(body, at, at + 1)
        assert (annotation.status, annotation.reviewed_by, annotation.events.exists()) == (
            Status.APPROVED,
            reviewer,
            False,
        )
        assert annotation.reviewed_at is not None


def test_span_of_finds_the_nth_occurrence():
    body = "Kyiv, then Kyiv again"
    assert span_of(body, "Kyiv") == {"start": 0, "end": len("Kyiv")}
    assert span_of(body, "Kyiv", nth=1) == {"start": body.rindex("Kyiv"), "end": len(body) - len(" again")}
    with pytest.raises(ValueError):
        span_of(body, "Kyiv", nth=2)
