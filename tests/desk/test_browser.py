"""The desk in a real browser: headless Chromium from Debian, driven by Playwright.

An annotator selects text after an emoji and Cyrillic and annotates it; a
reviewer bulk-approves; the mark on the article page changes status.
Screenshots go to test-output/ at the repository root for a person to look at.
"""

from annotations.models import Annotation, Status
from annotations.services.reviews import annotation_reject
from tests.desk.conftest import BROWSER_MARKS, OUTPUT

pytestmark = BROWSER_MARKS


def log_in(browser, live_server, username: str, next_path: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}*")
    return page


# Screen points at the middle of the first and the last character of `text` in the article body.
WHERE_IS_TEXT = """(text) => {
    const body = document.getElementById("desk-body");
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let full = "";
    while (walker.nextNode()) {
        nodes.push([walker.currentNode, full.length]);
        full += walker.currentNode.data;
    }
    const at = full.indexOf(text);  // a UTF-16 index: only to find where to point the mouse
    const locate = (i) => {
        const [node, from] = nodes.filter(([, from]) => from <= i).pop();
        return [node, i - from];
    };
    const range = document.createRange();
    range.setStart(...locate(at));
    range.setEnd(...locate(at + 1));
    const first = range.getBoundingClientRect();
    range.setStart(...locate(at + text.length - 1));
    range.setEnd(...locate(at + text.length));
    const last = range.getBoundingClientRect();
    const middle = (rect) => (rect.top + rect.bottom) / 2;
    return {x0: first.left + 1, y0: middle(first), x1: last.right - 1, y1: middle(last)};
}"""


def drag_select(page, text: str, *, container_id: str = "desk-body", scroll: bool = False) -> None:
    """Select `text` in the element `container_id` (the article body) with the mouse, as a person
    would; `scroll` first brings it a third of the way down the window."""
    script = WHERE_IS_TEXT.replace('document.getElementById("desk-body")', f'document.getElementById("{container_id}")')
    box = page.evaluate(script, text)
    if scroll:
        page.evaluate("(y) => window.scrollBy(0, y - window.innerHeight / 3)", box["y0"])
        box = page.evaluate(script, text)
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=8)
    page.mouse.up()


def test_annotate_on_the_desk_then_bulk_approve(chromium, live_server, make_user, article, make_annotation):
    """Select → annotate → approve as another reviewer → the mark shows approved → reopen it from its page."""
    annotator = make_user("annotator", "alice")
    reviewer = make_user("reviewer", "bob")
    # Some annotations already on the desk, overlapping and of every kind, for the screenshot.
    make_annotation(annotator, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON")
    make_annotation(annotator, article, kind="claim", quote="Prime Minister 🇯🇵 Fumio Kishida met Зеленский")
    rejected = make_annotation(reviewer, article, kind="entity", quote="Зеленский", entity_type="PERSON")
    make_annotation(
        annotator,
        article,
        kind="translation_artifact",
        quote="Зеленский",
        artifact_type="untranslated",
        suggested_correction="Zelensky",
    )
    annotation_reject(actor=make_user("reviewer", "dave"), annotation_id=rejected.pk, comment="Duplicate.")
    OUTPUT.mkdir(exist_ok=True)
    desk_path = f"/admin/annotations/article/{article.pk}/change/"

    page = log_in(chromium, live_server, "alice", desk_path)
    drag_select(page, "Kyiv was calm")
    popup = page.locator("#desk-popup")
    popup.wait_for(state="visible")
    assert popup.locator(".desk-popup-quote q").inner_text() == "Kyiv was calm"
    popup.locator("select[name=kind]").select_option("claim")
    popup.locator("input[name=claimant]").fill("Kyiv city administration")
    popup.locator("textarea[name=note]").fill("Check against the wire copy.")
    page.screenshot(path=OUTPUT / "desk-annotating.png", full_page=True)
    popup.locator("button[type=submit]").click()

    created = page.locator("#desk-body mark[data-kind=claim][data-status=pending]", has_text="Kyiv was calm")
    created.first.wait_for()
    annotation = Annotation.objects.get(quote="Kyiv was calm")
    start = article.body.index("Kyiv was calm")  # a code point index, as Python counts
    assert (annotation.start, annotation.end, annotation.created_by) == (start, start + len("Kyiv was calm"), annotator)
    assert (annotation.kind, annotation.claimant, annotation.status) == ("claim", "Kyiv city administration", "pending")
    page.close()

    page = log_in(chromium, live_server, "bob", "/admin/annotations/annotation/")
    page.check("#action-toggle")  # everything, bob's own rejected one included
    page.select_option("select[name=action]", "approve_selected")
    page.click("button[name=index]")
    success = page.locator(".messagelist .success")
    assert "Approved 4 annotations" in success.inner_text()
    assert f"#{rejected.pk} “Зеленский”" in page.locator(".messagelist .warning").first.inner_text()
    page.screenshot(path=OUTPUT / "annotations-approved.png", full_page=True)

    page.goto(f"{live_server.url}{desk_path}")
    mark = page.locator(f'#desk-body mark[data-annotation-id="{annotation.pk}"]').first
    assert mark.get_attribute("data-status") == "approved"
    mark.hover()
    tooltip = page.locator("#desk-tooltip")
    tooltip.wait_for(state="visible")
    assert "Kyiv city administration" in tooltip.inner_text()
    page.screenshot(path=OUTPUT / "desk.png", full_page=True)
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.APPROVED, reviewer)

    # Second thoughts, on the annotation's own page, opened from the desk's list.
    page.click(f'a.desk-open[href$="/annotation/{annotation.pk}/change/"]')
    page.fill(".desk-review textarea[name=comment]", "The wire says 'tense', not calm.")
    page.click(".desk-review button[value=reopen]")
    assert f"Reopened #{annotation.pk}" in page.locator(".messagelist .success").inner_text()
    assert [button.inner_text() for button in page.locator(".desk-review button").all()] == ["Approve", "Reject"]
    page.screenshot(path=OUTPUT / "annotation-review.png", full_page=True)
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.PENDING, None)
    assert annotation.events.order_by("at", "id").last().comment == "The wire says 'tense', not calm."
    page.close()
