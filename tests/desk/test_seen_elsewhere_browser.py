"""Claims seen elsewhere, in a real browser: on a seed article's page an annotator opens a claim's
"Seen elsewhere", which loads the same claim from two other seed articles, links one and finds the
card marked "Linked" with it; then unlinks it from the claim's own page.

Screenshots at 1440 and 390 px wide go to test-output/ for a person to look at.
"""

import re

from annotations.models import Annotation
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import log_in
from tests.desk.test_reanchor_browser import PHONE, WIDE, shoot

pytestmark = BROWSER_MARKS

HERE = "As of Feb. 27, about 120 Japanese nationals were in Ukraine."
THERE = "As of February 27, about 120 Japanese nationals were in Ukraine."
SHUT = "Japan decided to temporarily shut its embassy in Kyiv"
CLOSED = "Japan announced the temporary closure of its Embassy in Kyiv on Wednesday"


def claim(actor, article, quote: str, **fields) -> Annotation:
    return annotation_create(actor=actor, article=article, kind="claim", quote=quote, **fields)


def test_an_annotator_links_a_claim_to_the_same_claim_in_another_article(
    chromium, live_server, make_user, seed_articles
):
    alice, bob = make_user("annotator", "alice"), make_user("reviewer", "bob")
    kyodo = next(a for a in seed_articles if a.title.startswith("Japan to accept people fleeing Ukraine"))
    closes = next(a for a in seed_articles if a.title.startswith("Japan temporarily closes its embassy"))
    evacuating = next(a for a in seed_articles if a.title.startswith("Japan says it is considering evacuating"))
    here = claim(alice, kyodo, HERE, claimant="Ministry of Foreign Affairs")
    claim(alice, kyodo, SHUT)
    there = claim(alice, closes, THERE, claimant="Ministry of Foreign Affairs", rating="true")
    annotation_approve(actor=bob, annotation_id=there.pk)
    claim(alice, closes, CLOSED, rating="mostly_true")
    claim(alice, evacuating, "Around 250 Japanese nationals live in the Eastern European country", rating="mixed")
    OUTPUT.mkdir(exist_ok=True)

    page = log_in(chromium, live_server, "alice", f"/admin/annotations/article/{kyodo.pk}/change/")
    page.set_viewport_size(WIDE)
    card = page.locator(f"#desk-item-{here.pk}")
    seen = card.locator("details.desk-seen")
    seen.locator("summary").click()
    first = seen.locator(".desk-seen-item").first
    first.wait_for()
    assert re.fullmatch(r"\d{2}%", first.locator(".desk-seen-score").inner_text())
    assert "As of February 27" in first.inner_text()
    assert first.locator(".desk-status-approved").count() == 1
    assert first.locator(".desk-rating-true").count() == 1
    assert SHUT not in seen.inner_text()  # a claim of the same article is not "elsewhere"
    assert page.locator("#desk-tooltip").is_hidden()  # opening it does not pin the card
    card.scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / "seen-elsewhere-1440.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card.scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / "seen-elsewhere-390.png")
    card.screenshot(path=OUTPUT / "seen-elsewhere-card-390.png")
    page.set_viewport_size(WIDE)

    # Link: back on the page with the card pinned, marked "Linked" with the other claim.
    first.get_by_role("button", name="Link").click()
    page.wait_for_url(f"**#mark-{here.pk}")
    assert f"Linked #{here.pk}" in page.locator(".messagelist").inner_text()
    linked = card.locator(".desk-linked")
    assert linked.locator(".desk-linked-badge").inner_text().lower() == "linked"
    assert "As of February 27" in linked.inner_text()
    pinned = page.locator("#desk-tooltip.desk-pinned .desk-linked")
    pinned.wait_for()
    page.screenshot(path=OUTPUT / "seen-elsewhere-linked-1440.png")
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.claim_group_id is not None and here.claim_group_id == there.claim_group_id

    # The claim's own page: the list (the other claim marked linked) and Unlink.
    page.goto(f"{live_server.url}/admin/annotations/annotation/{here.pk}/change/")
    section = page.locator(".desk-seen-page")
    assert section.locator(".desk-seen-item").first.locator(".desk-linked-badge").count() == 1
    shoot(page, "seen-elsewhere-annotation-page")
    page.set_viewport_size(PHONE)
    section.screenshot(path=OUTPUT / "seen-elsewhere-annotation-section-390.png")
    page.set_viewport_size(WIDE)
    section.get_by_role("button", name="Unlink").click()
    page.wait_for_url(f"**/annotation/{here.pk}/change/")
    assert f"Unlinked #{here.pk}" in page.locator(".messagelist").inner_text()
    assert page.locator(".desk-seen-page .desk-linked").count() == 0
    here.refresh_from_db()
    assert here.claim_group_id is None
    page.close()
