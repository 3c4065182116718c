"""An article's revisions on the desk (desk/articles.py, desk/revisions.py): the revision line and
the revise form on the article page, the revise page's refusals, and a revision's page with its
diff and each annotation's outcome."""

import re
from html import unescape

import pytest
from django.urls import reverse

from annotations.models import Article, Status
from annotations.services.revisions import article_revise
from tests.desk.conftest import REVISED_BODY
from tests.factories import MIXED_SCRIPTS_BODY, ArticleFactory


def desk_url(article) -> str:
    return reverse("admin:annotations_article_change", args=[article.pk])


def revise_url(article) -> str:
    return reverse("admin:annotations_article_revise", args=[article.pk])


def revision_url(article, number: int) -> str:
    return reverse("admin:annotations_article_revision", args=[article.pk, number])


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_first_revision_says_so_and_offers_the_revise_form_prefilled(article, annotator, browser_for):
    """Revision 1 has no list of earlier ones; the form holds the current text to edit."""
    html = browser_for(annotator).get(desk_url(article)).content.decode()
    line = re.search(r'<p class="desk-meta desk-revision" id="desk-revision">.*?</p>', html, re.S).group()
    assert text_of(line) == "Revision 1"
    assert 'id="desk-revise"' in html
    textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert unescape(textarea).lstrip("\n") == MIXED_SCRIPTS_BODY


def test_the_article_page_names_its_revision_and_links_every_revision(article, revised, annotator, browser_for):
    html = browser_for(annotator).get(desk_url(article)).content.decode()
    line = re.search(r'<p class="desk-meta desk-revision" id="desk-revision">.*?</p>', html, re.S).group()
    assert text_of(line).startswith("Revision 2 · revised")
    assert f'href="{revision_url(article, 1)}"' in line
    assert f'href="{revision_url(article, 2)}"' in line
    assert "Store revision 3" in html


def test_the_orphaned_annotation_is_listed_but_not_marked_on_text_it_was_never_about(
    article, revised, annotator, browser_for
):
    """Its offsets are revision 1's: marked on revision 2 they would cover other words."""
    orphan = revised["Зеленский"]
    html = browser_for(annotator).get(desk_url(article)).content.decode()
    assert f'id="desk-item-{orphan.pk}"' in html
    assert f'data-annotation-id="{orphan.pk}" data-kind' not in html
    assert 'desk-status desk-status-orphaned">Orphaned' in html


def test_revising_from_the_desk_stores_the_revision_and_shows_its_page(
    article, annotator, make_annotation, browser_for
):
    claim = make_annotation(annotator, article, quote="Kyiv was calm")
    client = browser_for(annotator)
    # A browser's textarea sends CRLF line ends: stored as LF, like any body.
    body = REVISED_BODY.replace("\n", "\r\n")
    response = client.post(revise_url(article), {"body": body, "note": "names"}, follow=True)
    assert response.redirect_chain == [(revision_url(article, 2), 302)]
    article.refresh_from_db()
    assert (article.revision, article.body) == (2, REVISED_BODY)
    html = response.content.decode()
    assert "Stored revision 2: 1 fuzzy." in html
    assert 'id="revision-note"' in html and "names" in html
    claim.refresh_from_db()
    assert (claim.status, claim.quote) == (Status.PENDING, "Kyiv was quiet")


def test_the_same_text_again_is_refused_in_the_form_with_the_services_reason(article, annotator, browser_for):
    """A body equal to the current one is the service's Conflict (409), shown on the form; CRLF
    line ends from the textarea do not make it a different text."""
    response = browser_for(annotator).post(
        revise_url(article), {"body": MIXED_SCRIPTS_BODY.replace("\n", "\r\n"), "note": ""}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "The body is the same as the article&#x27;s current revision (1)." in html
    assert 'class="desk-revise-form"' in html
    assert Article.objects.get(pk=article.pk).revision == 1


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_a_blank_text_is_refused_in_the_form(article, annotator, browser_for, body):
    response = browser_for(annotator).post(revise_url(article), {"body": body, "note": "empty"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<ul class="errorlist[^"]*"[^>]*><li>This field (is required|may not be blank)\.</li>', html)
    assert Article.objects.get(pk=article.pk).revision == 1


def test_a_revision_page_shows_who_why_the_counts_the_diff_and_each_outcome(article, revised, annotator, browser_for):
    html = browser_for(annotator).get(revision_url(article, 2)).content.decode()
    facts = text_of(re.search(r'<p class="desk-meta" id="revision-facts">.*?</p>', html, re.S).group())
    assert facts.startswith("Revision 2 (current) · by alice ·")
    assert "Wire correction: names, day" in html
    counts = dict(re.findall(r'data-outcome="(\w+)"><span[^>]*>\w+</span> <strong>(\d+)</strong>', html))
    assert counts == {"unchanged": "1", "moved": "1", "fixed": "0", "fuzzy": "1", "orphaned": "1"}
    diff = re.search(r'<div class="desk-body desk-diff"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert '<del class="desk-diff-del">Зеленский</del><ins class="desk-diff-ins">Zelensky</ins>' in diff
    assert '<ins class="desk-diff-ins"> on Monday</ins>' in diff
    rows = {
        int(row_id): (outcome, text_of(row))
        for row_id, outcome, row in re.findall(
            r'<tr data-annotation-id="(\d+)" data-outcome="(\w+)">(.*?)</tr>', html, re.S
        )
    }
    assert rows[revised["Kyiv was calm"].pk][0] == "fuzzy"
    assert "Kyiv was calm" in rows[revised["Kyiv was calm"].pk][1]
    assert "Kyiv was quiet" in rows[revised["Kyiv was calm"].pk][1]
    assert rows[revised["The end"].pk][0] == "moved"
    assert rows[revised["Зеленский"].pk][0] == "orphaned"
    assert "not found" in rows[revised["Зеленский"].pk][1]
    assert revised["Fumio Kishida"].pk not in rows
    assert "1 annotation was unchanged (not listed)." in html
    assert f'href="{reverse("admin:annotations_annotation_change", args=[revised["The end"].pk])}"' in html


def test_revision_one_shows_its_text_alone(article, revised, annotator, browser_for):
    html = browser_for(annotator).get(revision_url(article, 1)).content.decode()
    assert "The text as first stored" in html
    assert "Зеленский" in html
    assert 'class="desk-body desk-diff"' not in html
    assert 'id="revision-outcomes"' not in html


def test_a_revision_that_does_not_exist_is_a_404(article, annotator, browser_for):
    assert browser_for(annotator).get(revision_url(article, 2)).status_code == 404


def test_a_long_unchanged_stretch_is_cut_around_the_change(annotator, browser_for):
    """The diff shows the change with some text around it, not the whole article again."""
    words = " ".join(f"word{n}" for n in range(400))
    article = ArticleFactory(body=f"{words} The minister said it. {words}")
    article_revise(actor=annotator, article_id=article.pk, body=f"{words} The prime minister said it. {words}")
    html = browser_for(annotator).get(revision_url(article, 2)).content.decode()
    diff = re.search(r'<div class="desk-body desk-diff"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert '<ins class="desk-diff-ins">prime </ins>' in diff
    assert diff.count('class="desk-diff-gap"') == 2
    assert diff.startswith('<span class="desk-diff-gap"') and diff.endswith("…</span>")
    assert len(text_of(diff)) < 400
