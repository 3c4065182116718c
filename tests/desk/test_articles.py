"""The desk's article pages (desk/articles.py): the highlighted body, the article list and form, annotating in place."""

import re

from django.urls import reverse

from annotations.domain.articles import body_sha256
from annotations.models import DUPLICATE_SPAN_MESSAGE, Annotation, Article, Change, Status
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve
from tests.factories import span_of


def desk_url(article) -> str:
    return reverse("admin:annotations_article_change", args=[article.pk])


# --- the article page: the desk -------------------------------------------------------------


def test_the_article_page_highlights_every_annotation(article, annotator, reviewer, make_annotation, browser_for):
    """Marks carry the annotation's id, kind and status; the side list and the legend are there."""
    entity = make_annotation(annotator, article, kind="entity", quote="Зеленский", entity_type="PERSON")
    claim = make_annotation(annotator, article, quote="Kyiv was calm", claimant="Test Wire")
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    html = browser_for(reviewer).get(desk_url(article)).content.decode()
    assert f'data-annotation-id="{entity.pk}" data-kind="entity" data-status="pending"' in html
    assert f'data-annotation-id="{claim.pk}" data-kind="claim" data-status="approved"' in html
    assert f'id="desk-item-{claim.pk}"' in html
    assert 'class="desk-legend"' in html
    assert "Test Wire" in html


def test_the_article_body_is_escaped(annotator, make_annotation, browser_for):
    """Article text is never markup, inside a highlight or outside one."""
    article = article_create(title="Markup", body='Say <script>alert("x")</script> and <b>bold</b>.')
    make_annotation(annotator, article, quote="<b>bold</b>")
    html = browser_for(annotator).get(desk_url(article)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;</mark>" in html


def test_the_desk_page_costs_the_same_queries_however_many_annotations(
    article, annotator, make_annotation, browser_for, django_assert_max_num_queries
):
    """No query per annotation on the article page."""
    client = browser_for(annotator)
    make_annotation(annotator, article, quote="Kyiv was calm")
    with django_assert_max_num_queries(100) as few:
        client.get(desk_url(article))
    for quote in ["Prime", "Minister", "Fumio", "Зеленский", "🙂", "The end"]:
        make_annotation(annotator, article, quote=quote)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(desk_url(article)).status_code == 200


def test_the_article_list_counts_annotations_by_status(article, annotator, reviewer, make_annotation, browser_for):
    """Each article's row shows how many annotations are pending, approved and rejected."""
    make_annotation(annotator, article, quote="Prime")
    approved = make_annotation(annotator, article, quote="Kyiv was calm")
    annotation_approve(actor=reviewer, annotation_id=approved.pk)
    response = browser_for(reviewer).get(reverse("admin:annotations_article_changelist"))
    html = response.content.decode()
    row = html.split(desk_url(article))[1].split("</tr>")[0]
    assert re.findall(r'<td class="field-(pending|approved|rejected)">(\d+)</td>', row) == [
        ("pending", "1"),
        ("approved", "1"),
        ("rejected", "0"),
    ]


def test_annotators_may_view_and_add_articles_but_not_edit_them(article, annotator, browser_for):
    """The article page is read-only for an annotator, and a forged edit is refused."""
    client = browser_for(annotator)
    html = client.get(desk_url(article)).content.decode()
    assert 'name="_save"' not in html
    response = client.post(desk_url(article), {"title": "Changed"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Mixed scripts"


def test_even_an_admin_cannot_edit_a_stored_body(article, admin_user, browser_for):
    """Offsets point into the body, so the admin's article form has no body field: the text changes
    only by a new revision (the revise form, which posts elsewhere), never in place."""
    client = browser_for(admin_user)
    html = client.get(desk_url(article)).content.decode()
    article_form = html.split('id="article_form"')[1].split("</form>")[0]
    assert 'name="body"' not in article_form
    assert html.count('name="body"') == 1
    assert f'action="{reverse("admin:annotations_article_revise", args=[article.pk])}"' in html
    data = {"title": "Renamed", "body": "Something else", "source": "Test Wire", "url": "", "language": "en"}
    client.post(desk_url(article), data)
    article.refresh_from_db()
    assert article.title == "Renamed"
    assert article.body.startswith("Prime Minister")


def test_adding_an_article_goes_through_article_create(annotator, browser_for):
    """The body is normalised and hashed as the API does; a duplicate body is a form error, not a 500."""
    client = browser_for(annotator)
    data = {"title": "New", "body": "\ufeffLine one\r\nLine two", "source": "Kyodo", "url": "", "language": "en"}
    response = client.post(reverse("admin:annotations_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(title="New")
    assert article.body == "Line one\nLine two"
    assert article.content_sha256 == body_sha256(article.body)

    response = client.post(reverse("admin:annotations_article_add"), {**data, "title": "Again"})
    assert response.status_code == 200
    assert "already stored" in response.content.decode()
    assert not Article.objects.filter(title="Again").exists()


# --- annotating on the desk --------------------------------------------------------------------


def annotate(client, article, **fields):
    return client.post(reverse("admin:annotations_article_annotate", args=[article.pk]), fields)


def test_the_desk_creates_an_annotation_at_code_point_offsets_as_the_user(article, reviewer, browser_for):
    """Offsets after a flag emoji and Cyrillic are code points; the author is the logged-in user."""
    start = article.body.index("Kyiv was calm")
    response = annotate(
        browser_for(reviewer),
        article,
        kind="translation_artifact",
        start=start,
        end=start + len("Kyiv was calm"),
        quote="Kyiv was calm",
        artifact_type="mistranslation",
        suggested_correction="Kyiv was quiet",
    )
    assert response.status_code == 201
    annotation = Annotation.objects.get(pk=response.json()["id"])
    assert (annotation.start, annotation.quote, annotation.created_by, annotation.status) == (
        start,
        "Kyiv was calm",
        reviewer,
        Status.PENDING,
    )
    assert annotation.events.get().action == "created"


def test_the_desk_refuses_offsets_that_do_not_match_the_quote(article, annotator, browser_for):
    """UTF-16 offsets (one too many per emoji) do not pass: the service checks them against the body."""
    start = article.body.index("Kyiv was calm")
    utf16_start = len(article.body[:start].encode("utf-16-le")) // 2
    utf16_end = utf16_start + len("Kyiv was calm")
    response = annotate(
        browser_for(annotator), article, kind="claim", start=utf16_start, end=utf16_end, quote="Kyiv was calm"
    )
    assert response.status_code == 400
    found = article.body[utf16_start:utf16_end]
    assert response.json() == {
        "errors": {"quote": [f"The quote does not match the text at {utf16_start}-{utf16_end}, which is {found!r}."]}
    }
    assert not Annotation.objects.exists()


def test_the_desk_reports_a_missing_type_and_a_duplicate_as_errors(article, annotator, browser_for):
    """The kind's rules and the duplicate rule come back as field messages for the popup."""
    client = browser_for(annotator)
    start = article.body.index("Зеленский")
    span = {"start": start, "end": start + len("Зеленский"), "quote": "Зеленский"}
    response = annotate(client, article, kind="entity", **span)
    assert response.status_code == 400
    assert response.json() == {"errors": {"entity_type": ["This field is required for entity annotations."]}}
    assert annotate(client, article, kind="entity", entity_type="PERSON", **span).status_code == 201
    response = annotate(client, article, kind="entity", entity_type="PERSON", **span)
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": [DUPLICATE_SPAN_MESSAGE]}}


def test_the_desk_endpoint_is_for_staff_only(article, consumer, browser_for):
    """A consumer's session does not reach the endpoint."""
    response = annotate(browser_for(consumer), article, kind="claim", **span_of(article.body, "Prime"), quote="Prime")
    assert response.status_code == 302
    assert not Annotation.objects.exists()


def test_an_admins_edit_of_an_articles_details_reaches_the_change_feed(browser_for, admin_user, claims, reviewer):
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    article = claims[0].article
    response = browser_for(admin_user).post(
        f"/admin/annotations/article/{article.pk}/change/",
        {
            "title": "Mixed scripts (corrected)",
            "source": article.source,
            "language": article.language,
            "url": "",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update = Change.objects.order_by("id").last()
    assert (update.type, update.record["article_title"]) == ("annotation.updated", "Mixed scripts (corrected)")
