"""The desk as a reviewer first sees it, in headless Chromium (as tests/desk/test_browser.py runs it):
the home at a desktop's width and a phone's, and the annotation list on the phone. What a person
must see is asserted; the screenshots go to test-output/ for a person to look at.
"""

import pytest

from annotations.services.reviews import annotation_reject
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.factories import span_of

pytestmark = BROWSER_MARKS

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
REJECTION = "Kishida is the prime minister here, not a place: annotate him as a person."
LONG_NOTE = (
    "The wire copy and the ministry's own statement disagree on the date; check which one the "
    "translation followed before approving, and say so in the review comment."
)


@pytest.fixture
def reviewers_day(seed_articles, make_user, make_annotation):
    """bob, a reviewer: two of his annotations rejected by dave, and six of alice's and carol's pending."""
    alice, bob = make_user("annotator", "alice"), make_user("reviewer", "bob")
    carol, dave = make_user("annotator", "carol"), make_user("reviewer", "dave")
    accept, embassy, evacuate = seed_articles

    def annotate(actor, article, quote, **fields):
        return make_annotation(actor, article, quote=quote, **span_of(article.body, quote), **fields)

    place = annotate(bob, accept, "Fumio Kishida", kind="entity", entity_type="GPE")
    annotation_reject(actor=dave, annotation_id=place.pk, comment=REJECTION)
    closed = annotate(bob, embassy, "temporary closure of its Embassy in Kyiv")
    annotation_reject(actor=dave, annotation_id=closed.pk, comment="Not a claim: Kyodo reports it as a fact.")

    annotate(alice, accept, "Tokyo", kind="entity", entity_type="GPE")
    annotate(alice, accept, "humanitarian support", note=LONG_NOTE)
    annotate(
        alice,
        embassy,
        "Partager",
        kind="translation_artifact",
        artifact_type="untranslated",
        suggested_correction="Share (the French button label of the page the article was copied from)",
    )
    annotate(alice, embassy, "Lviv", kind="entity", entity_type="GPE")
    annotate(carol, evacuate, "Ukrainian citizens", kind="entity", entity_type="NORP", note="Or PERSON?")
    annotate(carol, evacuate, "ISTANBUL", kind="entity", entity_type="GPE")
    return bob


def sign_in(browser, live_server, username: str):
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(10_000)
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page, missing


def page_width(page) -> int:
    """How wide the page's content is: wider than the window means the whole page scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_reviewer_sees_their_desk_on_a_desktop_and_on_a_phone(chromium, live_server, reviewers_day):
    OUTPUT.mkdir(exist_ok=True)
    page, missing = sign_in(chromium, live_server, "bob")

    for viewport, shot in [(DESKTOP, "desk-home-1440.png"), (PHONE, "desk-home-390.png")]:
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/admin/")
        assert page.title() == "Your desk | Copydesk"
        assert page.locator("#site-name").inner_text() == "Copydesk"
        queue = page.locator("#desk-queue")
        assert queue.is_visible()
        assert "6 annotations wait for your review" in queue.inner_text()
        inbox = page.locator("#desk-inbox")
        assert inbox.get_by_text(REJECTION).is_visible()
        assert inbox.locator("li").count() == 2
        assert page.locator("#desk-pending-articles tbody tr").count() == 3
        assert page.locator("#desk-activity li").count() == 10
        page.screenshot(path=OUTPUT / shot, full_page=True)
        assert page_width(page) <= viewport["width"]

    # The queue's link opens the pending annotations, still on the phone.
    page.locator("#desk-queue a.desk-home-count").click()
    page.wait_for_url("**/admin/annotations/annotation/?status=pending")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 6
    page.screenshot(path=OUTPUT / "annotation-list-390.png", full_page=True)
    assert page_width(page) <= PHONE["width"]  # the table scrolls in its box, not the page
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth > box.clientWidth")
    assert results.evaluate("box => getComputedStyle(box).overflowX") == "auto"
    note = page.locator("#result_list td.field-short_note span[title]", has_text="The wire copy")
    assert note.inner_text().endswith("…") and note.get_attribute("title") == LONG_NOTE
    correction = page.locator("#result_list td.field-correction span[title]", has_text="Share")
    assert correction.inner_text().endswith("…")

    # On a desktop every column of the list is in view: nothing to scroll.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/annotations/annotation/")
    assert page.locator("#result_list thead th").count() == 10  # the checkbox and nine columns
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert page.locator("#result_list th.column-reviewer").is_visible()
    page.screenshot(path=OUTPUT / "annotation-list-1440.png", full_page=True)

    assert missing == []  # the icon included: no page asked for anything that is not there
    page.close()
