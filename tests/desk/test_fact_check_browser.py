"""Fact-checks and severities on the desk, in a real browser: an annotator selects a claim in a seed
article, rates it from the popup and sees the rating's badge on its card, beside the artifacts'
severities; the next form starts clean. On a phone the popup fits and the rating, the annotation's
page and the list with its filters read.

Screenshots at 1440 and 390 px wide go to test-output/ for a person to look at.
"""

from datetime import date

from annotations.models import Annotation
from annotations.services.annotations import annotation_create
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import drag_select, log_in
from tests.desk.test_reanchor_browser import PHONE, WIDE, shoot

pytestmark = BROWSER_MARKS

SAID = "“Japan is also moving in that direction,”"
EXPLANATION = "The ministry announced the evacuation of embassy staff's families the next day."


def test_an_annotator_rates_a_claim_from_the_article_page_and_sees_its_badge(
    chromium, live_server, make_user, seed_articles
):
    alice = make_user("annotator", "alice")
    make_user("reviewer", "bob")
    anadolu = next(a for a in seed_articles if a.title.startswith("Japan says it is considering evacuating"))
    artifact = {"kind": "translation_artifact", "artifact_type": "wrong_referent"}
    annotation_create(
        actor=alice,
        article=anadolu,
        **artifact,
        quote="Ukrainian citizens",
        start=anadolu.body.index("Ukrainian citizens"),
        suggested_correction="its citizens from Ukraine",
        severity="critical",
    )
    annotation_create(
        actor=alice,
        article=anadolu,
        **artifact,
        quote="Officials in Ukraine have advised Japanese nationals",
        severity="major",
    )
    annotation_create(
        actor=alice,
        article=anadolu,
        kind="translation_artifact",
        artifact_type="boilerplate",
        quote="ISTANBUL (Turkey)",
    )
    OUTPUT.mkdir(exist_ok=True)
    desk_path = f"/admin/annotations/article/{anadolu.pk}/change/"

    page = log_in(chromium, live_server, "alice", desk_path)
    drag_select(page, SAID, scroll=True)
    popup = page.locator("#desk-popup")
    popup.wait_for(state="visible")
    popup.locator("select[name=kind]").select_option("claim")
    assert popup.locator("select[name=severity]").is_hidden()
    popup.locator("input[name=claimant]").fill("an unnamed Foreign Ministry official")
    popup.locator("select[name=rating]").select_option("mostly_true")
    popup.locator("input[name=claim_date]").fill("2022-01-24")
    popup.locator("textarea[name=rating_explanation]").fill(EXPLANATION)
    page.screenshot(path=OUTPUT / "fact-check-annotating-1440.png")
    popup.locator("button[type=submit]").click()

    card = page.locator("#desk-list .desk-item", has_text="Japan is also moving in that direction")
    badge = card.locator(".desk-rating")
    badge.wait_for()
    assert badge.inner_text() == "Mostly true"
    assert "desk-rating-mostly_true" in badge.get_attribute("class")
    assert "24 Jan 2022" in card.inner_text() and EXPLANATION in card.inner_text()
    critical = page.locator("#desk-list .desk-item", has_text="its citizens from Ukraine").locator(".desk-severity")
    assert critical.inner_text().lower() == "critical"
    claim = Annotation.objects.get(quote=SAID)
    assert (claim.claimant, claim.rating, claim.rating_explanation, claim.claim_date, claim.severity) == (
        "an unnamed Foreign Ministry official",
        "mostly_true",
        EXPLANATION,
        date(2022, 1, 24),
        "",
    )
    # Its card on hover, as a reviewer reads it in the text.
    page.locator(f'#desk-body mark[data-annotation-id="{claim.pk}"]').first.hover()
    page.locator("#desk-tooltip .desk-rating", has_text="Mostly true").wait_for()
    page.screenshot(path=OUTPUT / "fact-check-card-1440.png")
    page.mouse.move(1, 1)
    page.evaluate("window.scrollTo(0, 0)")  # from the top: the sticky side list stays in place on the shot
    shoot(page, "fact-check-desk")

    # The next form starts clean: the kind is kept, no rating, no date, and an artifact is minor again.
    drag_select(page, "“The situation is rapidly changing,”", scroll=True)
    popup.wait_for(state="visible")
    assert popup.locator("select[name=kind]").input_value() == "claim"
    for field in ["select[name=rating]", "input[name=claim_date]", "textarea[name=rating_explanation]"]:
        assert popup.locator(field).input_value() == ""
    popup.locator("select[name=kind]").select_option("translation_artifact")
    assert popup.locator("select[name=severity]").input_value() == "minor"
    popup.locator("select[name=severity]").select_option("major")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    popup.locator("[data-desk-cancel]").click()
    popup.wait_for(state="hidden")
    assert asked == ["Discard what you typed?"]  # a severity chosen is work, as a typed note is
    page.close()

    # On a phone: the popup fits the screen; a second claim rated unverifiable.
    page = log_in(chromium, live_server, "alice", desk_path)
    page.set_viewport_size(PHONE)
    drag_select(page, "“The situation is rapidly changing,”", scroll=True)
    popup = page.locator("#desk-popup")
    popup.wait_for(state="visible")
    popup.locator("select[name=kind]").select_option("claim")
    popup.locator("input[name=claimant]").fill("the official")
    popup.locator("select[name=rating]").select_option("unverifiable")
    popup.locator("input[name=claim_date]").fill("2022-01-24")
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    popup.scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / "fact-check-annotating-390.png")
    popup.locator("button[type=submit]").click()
    page.locator("#desk-list .desk-rating-unverifiable").wait_for()
    page.locator("#desk-list").screenshot(path=OUTPUT / "fact-check-cards-390.png")
    page.set_viewport_size(WIDE)

    # The claim's own page (its edit form has the fields), and the list filtered by rating.
    page.goto(f"{live_server.url}/admin/annotations/annotation/{claim.pk}/change/")
    assert page.locator(".desk-in-text .desk-rating").inner_text() == "Mostly true"
    assert page.locator("select[name=rating]").input_value() == "mostly_true"
    assert page.locator("input[name=claim_date]").input_value() == "2022-01-24"
    assert page.locator("select[name=severity]").is_hidden()  # the edit form shows a claim's fields only
    shoot(page, "fact-check-annotation-page")
    page.select_option("select[name=kind]", "translation_artifact")
    assert page.locator("select[name=severity]").is_visible() and page.locator("select[name=rating]").is_hidden()
    page.goto(f"{live_server.url}/admin/annotations/annotation/")
    assert page.locator("td.field-type .desk-severity-critical").count() == 1
    shoot(page, "fact-check-list")
    page.goto(f"{live_server.url}/admin/annotations/annotation/?rating=mostly_true")
    assert page.locator("#result_list tbody tr").count() == 1
    shoot(page, "fact-check-list-rated")
    page.close()
