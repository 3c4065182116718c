"""Translation quality on the desk, in a real browser: the article list's score column and its sort, the
article page's panel with the errors that make the score, which follows an approval made in place.

Screenshots at 1440 and 390 px wide go to test-output/quality-*.png for a person to look at.
"""

from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import log_in
from tests.desk.test_reanchor_browser import PHONE, WIDE, shoot
from tests.desk.test_review_browser import wait_for_status_line

pytestmark = BROWSER_MARKS


def test_the_list_and_the_article_page_show_the_translation_quality(chromium, live_server, make_user, seed_articles):
    alice, bob = make_user("annotator", "alice"), make_user("reviewer", "bob")
    anadolu = next(a for a in seed_articles if a.title.startswith("Japan says it is considering evacuating"))
    kyodo = next(a for a in seed_articles if a.title.startswith("Japan to accept people fleeing Ukraine"))

    def artifact(article, quote, artifact_type, severity, *, approve=True, **fields):
        made = annotation_create(
            actor=alice,
            article=article,
            kind="translation_artifact",
            artifact_type=artifact_type,
            severity=severity,
            quote=quote,
            start=article.body.index(quote),
            **fields,
        )
        if approve:
            annotation_approve(actor=bob, annotation_id=made.pk)
        return made

    artifact(anadolu, "Ukrainian citizens", "wrong_referent", "critical", suggested_correction="its citizens")
    artifact(anadolu, "Officials in Ukraine have advised Japanese nationals", "wrong_referent", "major")
    boilerplate = artifact(anadolu, "ISTANBUL (Turkey)", "boilerplate", "minor", approve=False)
    artifact(kyodo, "at an early date", "literal_rendering", "minor")
    OUTPUT.mkdir(exist_ok=True)

    # The list: every article scored; the header sorts worst first, then best first.
    page = log_in(chromium, live_server, "bob", "/admin/annotations/article/")
    expected = f"{100 * (1 - 30 / anadolu.word_count):.2f}"  # a critical (25) and a major (5)
    anadolu_row = page.locator("#result_list tbody tr", has_text=anadolu.title)
    assert anadolu_row.locator("td.field-quality").inner_text().split() == [expected, "FAIL"]  # shown in capitals
    assert anadolu_row.locator(".desk-verdict-fail").get_attribute("title") == "Below the pass threshold of 99"
    kyodo_cell = page.locator("#result_list tbody tr", has_text=kyodo.title).locator("td.field-quality")
    assert kyodo_cell.inner_text().split() == [f"{100 * (1 - 1 / kyodo.word_count):.2f}", "PASS"]
    page.locator("th.column-quality a").first.click()
    page.wait_for_url("**?o=*")
    assert page.locator("#result_list tbody tr").first.locator("th.field-title").inner_text() == anadolu.title
    shoot(page, "quality-list")

    # The article page: the line under the title, the panel under the text, its errors costliest first.
    page.goto(f"{live_server.url}/admin/annotations/article/{anadolu.pk}/change/")
    panel = page.locator("#desk-quality")
    assert panel.is_visible()
    assert panel.locator(".desk-quality-score .desk-score").inner_text() == expected
    assert "below the pass threshold of 99" in panel.inner_text()
    assert page.locator("#desk-quality-line").inner_text().startswith(f"Translation quality: {expected}")
    rows = panel.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(2).inner_text() == "Accuracy/Mistranslation/Entity"
    assert rows.nth(0).locator("td").nth(4).inner_text() == "25"
    assert "ISTANBUL" not in panel.inner_text()  # pending: not counted
    shoot(page, "quality-page")
    panel.screenshot(path=OUTPUT / "quality-panel-1440.png")
    page.set_viewport_size(PHONE)  # the whole page at 390 px is too tall to read: its top, and the panel
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=OUTPUT / "quality-page-top-390.png")
    panel.screenshot(path=OUTPUT / "quality-panel-390.png")
    page.set_viewport_size(WIDE)

    # Approved in place: the panel and the line follow without a reload.
    page.goto(f"{live_server.url}/admin/annotations/article/{anadolu.pk}/change/#mark-{boilerplate.pk}")
    page.locator(f'#desk-body mark[data-annotation-id="{boilerplate.pk}"]').first.click()
    page.locator("#desk-tooltip.desk-pinned", has_text="ISTANBUL").wait_for()
    page.keyboard.press("a")
    wait_for_status_line(page, f"Approved #{boilerplate.pk}")
    after = f"{100 * (1 - 31 / anadolu.word_count):.2f}"
    page.locator("#desk-quality .desk-quality-score .desk-score", has_text=after).wait_for()
    assert page.locator("#desk-quality tbody tr").count() == 3
    assert "3 errors counted" in page.locator("#desk-quality-line").inner_text()
    page.close()
