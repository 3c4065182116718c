"""The desk's home (DeskSite.index, admin/index.html): what needs the signed-in user, each item
a link to where it is done, in the same number of queries however many rows."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.services.reviews import annotation_reject
from tests.factories import AnnotationFactory, ArticleFactory

HOME = reverse("admin:index")
CHANGELIST = reverse("admin:annotations_annotation_changelist")


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<(section|div) class="[^"]*" id="{section_id}">.*?</\1>', html, re.S)
    assert found, f"no #{section_id} on the page"
    return found.group()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def article_page(article_id: int) -> str:
    return reverse("admin:annotations_article_change", args=[article_id])


@pytest.fixture
def desk_day(annotator, other_annotator, reviewer, other_reviewer, article, make_annotation):
    """alice's claim rejected by dave, two pending (alice's and carol's), bob's own pending one."""
    rejected = make_annotation(annotator, article, quote="Kyiv was calm")
    annotation_reject(actor=other_reviewer, annotation_id=rejected.pk, comment="The wire says “tense”.")
    kyodo = ArticleFactory(title="Kyodo report", body="Tokyo said so. Osaka too.")
    pending = [
        make_annotation(annotator, kyodo, kind="entity", quote="Tokyo", entity_type="GPE"),
        make_annotation(other_annotator, kyodo, kind="entity", quote="Osaka", entity_type="GPE"),
        make_annotation(reviewer, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"),
    ]
    return {"rejected": rejected, "kyodo": kyodo, "pending": pending}


def test_a_reviewer_sees_the_size_of_their_queue_linked_to_the_pending_list(desk_day, reviewer, browser_for):
    html = browser_for(reviewer).get(HOME).content.decode()
    queue = section(html, "desk-queue")
    # Two of the three pending: bob's own is not his to review.
    assert "2 annotations wait for your review" in text_of(queue)
    assert f'href="{CHANGELIST}?status=pending"' in queue


def test_annotators_have_no_queue_but_their_rejected_annotations_with_the_reviewers_comment(
    desk_day, article, annotator, browser_for
):
    html = browser_for(annotator).get(HOME).content.decode()
    assert 'id="desk-queue"' not in html
    inbox = section(html, "desk-inbox")
    rejected = desk_day["rejected"]
    assert text_of(inbox).startswith("Your rejected annotations “Kyiv was calm” in Mixed scripts")
    assert "The wire says “tense”. — dave," in text_of(inbox)
    assert f'href="{article_page(article.pk)}#mark-{rejected.pk}">Mixed scripts</a>' in inbox
    assert re.search(r"— dave, <time datetime=\"[^\"]+\" title=\"[^\"]+\">0.minutes ago</time>", inbox)


def test_an_empty_inbox_says_so(desk_day, other_annotator, browser_for):
    inbox = section(browser_for(other_annotator).get(HOME).content.decode(), "desk-inbox")
    assert "None: nothing of yours is waiting to be fixed." in text_of(inbox)


def test_pending_counts_per_article_link_to_the_article_and_to_its_pending_annotations(
    desk_day, article, annotator, browser_for
):
    table = section(browser_for(annotator).get(HOME).content.decode(), "desk-pending-articles")
    kyodo = desk_day["kyodo"]
    assert text_of(table) == "Pending, by article Article Pending Kyodo report 2 pending Mixed scripts 1 pending"
    assert f'<a href="{article_page(kyodo.pk)}">Kyodo report</a>' in table
    assert f'<a href="{CHANGELIST}?article__id__exact={kyodo.pk}&amp;status=pending">2 pending</a>' in table


def test_the_pending_link_opens_that_articles_pending_annotations(desk_day, reviewer, browser_for):
    kyodo = desk_day["kyodo"]
    response = browser_for(reviewer).get(CHANGELIST, {"article__id__exact": kyodo.pk, "status": "pending"})
    assert {a.pk for a in response.context["cl"].result_list} == {a.pk for a in desk_day["pending"][:2]}


def test_recent_activity_says_who_did_what_to_which_annotation(desk_day, article, annotator, browser_for):
    activity = section(browser_for(annotator).get(HOME).content.decode(), "desk-activity")
    lines = re.findall(r"<li>(.*?)</li>", activity, re.S)
    assert [text_of(line).split(" · ")[0] for line in lines] == [
        "bob created “Fumio Kishida” Mixed scripts",
        "carol created “Osaka” Kyodo report",
        "alice created “Tokyo” Kyodo report",
        "dave rejected “Kyiv was calm” Mixed scripts",
        "alice created “Kyiv was calm” Mixed scripts",
    ]
    assert f'href="{article_page(article.pk)}#mark-{desk_day["rejected"].pk}"' in lines[3]
    assert "Recent actions" not in activity  # Django's log of desk actions is not the history


def test_the_screens_are_still_listed(desk_day, annotator, browser_for):
    html = browser_for(annotator).get(HOME).content.decode()
    assert f'<a href="{CHANGELIST}">Annotations</a>' in html
    assert html.index('id="desk-inbox"') < html.index('class="app-annotations')


def make_rows(n: int, annotator, reviewer, first: int = 0) -> None:
    """n articles, each with a pending annotation of alice's and a rejected one of bob's."""
    for i in range(first, first + n):
        article = ArticleFactory(title=f"Story {i}", body=f"Story {i}, told once.")
        AnnotationFactory(article=article, created_by=annotator)
        AnnotationFactory(article=article, created_by=reviewer, rejected=True)


def test_the_home_costs_the_same_queries_with_2_rows_or_20(annotator, reviewer, browser_for):
    client = browser_for(reviewer)
    make_rows(2, annotator, reviewer)
    with CaptureQueriesContext(connection) as two:
        html = client.get(HOME).content.decode()
    assert "2 annotations wait" in text_of(html) and html.count("Not what the text says.") == 2
    make_rows(18, annotator, reviewer, first=2)
    with CaptureQueriesContext(connection) as twenty:
        html = client.get(HOME).content.decode()
    assert "20 annotations wait" in text_of(html) and html.count("Not what the text says.") == 20
    assert len(re.findall(r"\d+ pending</a>", html)) == 10
    assert len(twenty.captured_queries) == len(two.captured_queries)
