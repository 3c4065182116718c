"""The re-anchoring queue (desk/reanchor.py, selectors/desk.py): what a revision could not place for
certain, and confirming, placing again and deleting it, each through the services with their refusals."""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, DeletedAnnotation, Status
from annotations.selectors.desk import reanchor_queue
from annotations.selectors.users import may_review, user_role
from annotations.services.annotations import annotation_create
from annotations.services.revisions import article_revise
from tests.desk.conftest import REVISED_BODY
from tests.factories import ArticleFactory

QUEUE = reverse("admin:annotations_annotation_reanchor")


def action_url(name: str, annotation) -> str:
    return reverse(f"admin:annotations_annotation_reanchor_{name}", args=[annotation.pk])


def item_html(html: str, annotation) -> str:
    found = re.search(
        rf'<li class="desk-reanchor-item[^"]*" id="reanchor-{annotation.pk}".*?(?=<li class="desk-reanchor-item|</ol>)',
        html,
        re.S,
    )
    assert found, f"#{annotation.pk} is not in the queue"
    return found.group()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_queue_lists_fuzzy_and_orphaned_annotations_only(revised, reviewer, browser_for):
    html = browser_for(reviewer).get(QUEUE).content.decode()
    listed = {int(pk) for pk in re.findall(r'id="reanchor-(\d+)"', html)}
    assert listed == {revised["Kyiv was calm"].pk, revised["Зеленский"].pk}
    assert "<strong>2</strong> to re-anchor" in html


def test_a_fuzzy_item_shows_its_article_its_old_quote_and_the_new_one_in_context(revised, reviewer, browser_for):
    fuzzy = revised["Kyiv was calm"]
    item = item_html(browser_for(reviewer).get(QUEUE).content.decode(), fuzzy)
    assert 'data-outcome="fuzzy"' in item
    assert "Mixed scripts" in item
    assert '<q class="desk-quote-old">Kyiv was calm</q>' in item
    assert "Kyiv 🙂 on Monday. <mark" in item and ">Kyiv was quiet</mark>." in item
    assert "(revision 1)" in item and "(revision 2)" in item
    assert 'data-action="confirm"' in item
    # Pending: only its author (or an admin) edits or deletes it; the buttons are disabled, saying why.
    assert 'data-refused="place"' in item and 'data-action="place"' not in item
    assert "<strong>Re-place:</strong> Only the annotation&#x27;s author or an admin may edit it." in item
    assert "<strong>Delete:</strong> Only the annotation&#x27;s author or an admin may delete it." in item


def test_an_orphaned_item_says_it_was_not_found_and_may_be_placed_by_a_reviewer(revised, reviewer, browser_for):
    orphan = revised["Зеленский"]
    item = item_html(browser_for(reviewer).get(QUEUE).content.decode(), orphan)
    assert 'data-outcome="orphaned"' in item
    assert "Not found in the new text." in item
    assert ">Зеленский</mark>" in item
    assert 'data-action="confirm"' not in item
    assert f'href="{action_url("place", orphan)}"' in item


def test_the_author_may_not_confirm_but_may_place_and_delete(revised, annotator, browser_for):
    """Four eyes: the Confirm button is replaced by the reason."""
    item = item_html(browser_for(annotator).get(QUEUE).content.decode(), revised["Kyiv was calm"])
    assert 'data-action="confirm"' not in item
    assert "<strong>Confirm:</strong> Only reviewers confirm a new span." in item
    assert 'data-action="place"' in item and 'data-action="delete"' in item


def test_a_reviewer_who_wrote_it_is_told_four_eyes(article, reviewer, other_reviewer, browser_for):
    own = annotation_create(actor=reviewer, article=article, kind="claim", quote="Kyiv was calm")
    article_revise(actor=other_reviewer, article_id=article.pk, body=REVISED_BODY)
    item = item_html(browser_for(reviewer).get(QUEUE).content.decode(), own)
    assert "<strong>Confirm:</strong> Yours: someone else confirms it (four eyes)." in item
    assert 'data-refused="confirm"' in item and 'data-action="confirm"' not in item


def test_confirming_approves_the_new_span_and_takes_it_off_the_queue(revised, reviewer, browser_for):
    fuzzy = revised["Kyiv was calm"]
    response = browser_for(reviewer).post(action_url("confirm", fuzzy), follow=True)
    assert response.redirect_chain == [(QUEUE, 302)]
    assert f"Confirmed and approved #{fuzzy.pk} “Kyiv was quiet”." in messages_of(response)
    fuzzy.refresh_from_db()
    assert (fuzzy.status, fuzzy.reviewed_by, fuzzy.quote) == (Status.APPROVED, reviewer, "Kyiv was quiet")
    assert f'id="reanchor-{fuzzy.pk}"' not in response.content.decode()


def test_a_forged_confirmation_by_the_author_is_refused_with_the_services_reason(revised, annotator, browser_for):
    fuzzy = revised["Kyiv was calm"]
    response = browser_for(annotator).post(action_url("confirm", fuzzy), follow=True)
    assert any(m.startswith("Not confirmed: ") for m in messages_of(response))
    fuzzy.refresh_from_db()
    assert fuzzy.status == Status.PENDING


def test_confirming_what_is_not_in_the_queue_does_nothing(revised, reviewer, browser_for):
    moved = revised["The end"]
    response = browser_for(reviewer).post(action_url("confirm", moved), follow=True)
    assert f"#{moved.pk} is not waiting to be re-anchored (any more)." in messages_of(response)


def test_deleting_is_refused_to_a_reviewer_who_is_not_the_author(revised, reviewer, browser_for):
    orphan = revised["Зеленский"]
    response = browser_for(reviewer).post(action_url("delete", orphan), follow=True)
    assert "Not deleted: Only the annotation's author or an admin may delete it." in messages_of(response)
    assert Annotation.objects.filter(pk=orphan.pk).exists()


def test_the_author_deletes_an_orphan_and_its_record_is_kept(revised, annotator, browser_for):
    orphan = revised["Зеленский"]
    response = browser_for(annotator).post(action_url("delete", orphan), follow=True)
    assert f"Deleted #{orphan.pk} “Зеленский”." in messages_of(response)
    assert not Annotation.objects.filter(pk=orphan.pk).exists()
    assert DeletedAnnotation.objects.filter(former_id=orphan.pk).exists()


def test_the_place_page_shows_the_current_text_to_select_in(revised, reviewer, browser_for):
    orphan = revised["Зеленский"]
    html = browser_for(reviewer).get(action_url("place", orphan)).content.decode()
    body = re.search(r'<div class="desk-body" id="place-body"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert unescape(body) == REVISED_BODY  # no mark: its old offsets are of revision 1
    assert '<input type="hidden" name="revision" value="2">' in html


def test_placing_an_orphan_again_by_a_reviewer_makes_it_pending_on_the_current_revision(
    article, revised, reviewer, browser_for
):
    orphan = revised["Зеленский"]
    start = REVISED_BODY.index("Zelensky")  # no astral character before it: code points = str indices
    data = {"start": start, "end": start + 8, "quote": "Zelensky", "revision": 2}
    response = browser_for(reviewer).post(action_url("place", orphan), data, follow=True)
    assert response.redirect_chain == [(QUEUE, 302)]
    assert any(m.startswith(f"Placed #{orphan.pk} “Zelensky”") for m in messages_of(response))
    orphan.refresh_from_db()
    assert (orphan.status, orphan.quote, orphan.revision) == (Status.PENDING, "Zelensky", 2)
    assert orphan.events.last().actor == reviewer


def test_offsets_from_an_older_revision_are_refused_on_the_page(article, revised, reviewer, browser_for):
    orphan = revised["Зеленский"]
    start = REVISED_BODY.index("Zelensky")
    data = {"start": start, "end": start + 8, "quote": "Zelensky", "revision": 1}
    response = browser_for(reviewer).post(action_url("place", orphan), data)
    assert response.status_code == 409
    assert "The article is at revision 2, not 1" in unescape(response.content.decode())
    orphan.refresh_from_db()
    assert orphan.status == Status.ORPHANED


def test_an_annotator_sees_only_their_own(revised, other_annotator, browser_for):
    html = browser_for(other_annotator).get(QUEUE).content.decode()
    assert "Nothing to re-anchor." in html
    assert not re.search(r'id="reanchor-\d', html)


def test_the_home_links_the_queue_with_its_size(revised, reviewer, browser_for):
    html = browser_for(reviewer).get(reverse("admin:index")).content.decode()
    section = re.search(r'<section class="module desk-home-reanchor" id="desk-reanchor">.*?</section>', html, re.S)
    assert section, "no re-anchoring section on the home"
    assert f'<a href="{QUEUE}">To re-anchor (2)</a>' in section.group()


def _revise_with(n: int, annotator) -> None:
    """An article with n fuzzy annotations and n orphaned ones after its revision."""
    words = [f"alpha{i} beta{i} gamma{i}" for i in range(n)]
    article = ArticleFactory(body=". ".join(words) + ". " + " ".join(f"lost{i}" for i in range(n)) + " end.")
    for i in range(n):
        annotation_create(actor=annotator, article=article, kind="claim", quote=f"alpha{i} beta{i} gamma{i}")
        annotation_create(actor=annotator, article=article, kind="claim", quote=f"lost{i}")
    new = ". ".join(f"alpha{i} BETA{i} gamma{i}" for i in range(n)) + ". end."
    article_revise(actor=annotator, article_id=article.pk, body=new)


def test_the_queue_costs_four_queries_however_long_it_is(annotator, reviewer, django_assert_num_queries):
    """The page of annotations with their articles and authors, their re-anchoring events, their
    editors, and the queue's (capped) count: no query per item."""
    _revise_with(2, annotator)
    may_review(reviewer), user_role(reviewer)  # the permission and role caches, read once per request anyway
    with django_assert_num_queries(4):
        few = reanchor_queue(reviewer)
    _revise_with(10, annotator)
    with django_assert_num_queries(4):
        many = reanchor_queue(reviewer)
    assert (len(few.items), len(many.items)) == (4, 24)
    assert {item.outcome for item in many.items} == {"fuzzy", "orphaned"}


def test_the_queue_page_costs_the_same_queries_with_4_items_or_24(
    annotator, reviewer, browser_for, django_assert_num_queries
):
    client = browser_for(reviewer)
    _revise_with(2, annotator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    _revise_with(10, annotator)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(QUEUE).content.decode()
    assert html.count('class="desk-reanchor-item') == 24
