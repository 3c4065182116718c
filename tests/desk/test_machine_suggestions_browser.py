"""Machine suggestions on the desk, in a real browser: a tagging model's suggestions on a seed article look
different from a person's annotations (tagged cards, a wavy underline in the text), and a reviewer accepts
those at 80 % or more in bulk from the article page's bar, then sees them approved.

Screenshots at 1440 and 390 px wide go to test-output/suggestions-*.png for a person to look at.
"""

from annotations.models import Annotation, AnnotationEvent, HistoryAction
from annotations.services.annotations import annotation_create
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import log_in
from tests.desk.test_reanchor_browser import PHONE, WIDE, shoot
from tests.desk.test_review_browser import wait_for_status_line

pytestmark = BROWSER_MARKS

NER = "spacy-ner 3.7 (en_core_web_trf)"
CLAIMS = "claimbuster-2"


def test_a_reviewer_accepts_the_confident_suggestions_in_bulk(chromium, live_server, make_user, seed_articles):
    alice, bot = make_user("annotator", "alice"), make_user("annotator", "ner-bot")
    make_user("reviewer", "bob")
    kyodo = next(a for a in seed_articles if a.title.startswith("Japan to accept people fleeing Ukraine"))

    def suggest(quote, confidence, entity_type=None, model=NER):
        kind = {"kind": "entity", "entity_type": entity_type} if entity_type else {"kind": "claim"}
        return annotation_create(
            actor=bot,
            article=kyodo,
            **kind,
            quote=quote,
            start=kyodo.body.index(quote),
            origin="machine",
            model=model,
            confidence=confidence,
        )

    confident = [
        suggest("Fumio Kishida", 0.98, "PERSON"),
        suggest("Tokyo", 0.94, "GPE"),
        suggest("Ukraine", 0.88, "GPE"),
        suggest("Kyodo", 0.81, "ORG"),
    ]
    unsure = [
        suggest("Office of the U.N. High Commissioner for Refugees", 0.62, "ORG"),
        suggest("Refugees from Ukraine will not count toward the daily limit", 0.55, model=CLAIMS),
    ]
    annotation_create(
        actor=alice,
        article=kyodo,
        kind="claim",
        quote="Japan is planning to accept people fleeing Russia's invasion of Ukraine at an early date",
        claimant="Fumio Kishida",
    )
    poland = {"quote": "Poland", "start": kyodo.body.index("Poland")}
    annotation_create(actor=alice, article=kyodo, kind="entity", entity_type="GPE", **poland, origin="import")
    OUTPUT.mkdir(exist_ok=True)
    desk_path = f"/admin/annotations/article/{kyodo.pk}/change/"

    page = log_in(chromium, live_server, "bob", desk_path)
    page.set_viewport_size(WIDE)
    bar = page.locator("#desk-suggestions")
    assert "6 pending review, from 2 models" in bar.inner_text()
    # The most confident first: 90 % or more takes two.
    assert bar.locator("select[name=threshold]").input_value() == "0.9"
    assert bar.locator("[data-suggestions-accept]").inner_text() == "Accept 2"
    card = page.locator(f"#desk-item-{confident[0].pk}")
    assert card.locator(".desk-origin-machine").inner_text() == f"Suggested by {NER} · 98\xa0%"
    assert page.locator("#desk-list .desk-origin-import").inner_text() == "Imported"
    # In the text, a pending suggestion has the wavy underline; a person's the dashed one.
    mark = page.locator(f"#mark-{confident[1].pk}")
    assert mark.evaluate("m => getComputedStyle(m).textDecorationStyle") == "wavy"
    human = page.locator("#desk-body mark[data-kind=claim]:not([data-origin])").first
    assert human.evaluate("m => getComputedStyle(m).borderBottomStyle") == "dashed"
    page.screenshot(path=OUTPUT / "suggestions-1440.png", full_page=True)
    page.screenshot(path=OUTPUT / "suggestions-top-1440.png")  # the first screen: the bar, the text, the cards
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the article page is wider than a phone"
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.screenshot(path=OUTPUT / "suggestions-390.png", full_page=True)
    page.evaluate("(y) => window.scrollTo(0, y - 120)", box["y"])
    page.screenshot(path=OUTPUT / "suggestions-bar-390.png")
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size(WIDE)

    # A rejection asks why before anything is sent.
    bar.locator("[data-suggestions-reject]").click()
    assert bar.locator("[data-suggestions-comment]").evaluate("input => input.validationMessage") != ""
    assert Annotation.objects.filter(status="rejected").count() == 0

    # 80 % or more: the four confident ones.
    bar.locator("select[name=threshold]").select_option("0.8")
    accept = bar.locator("[data-suggestions-accept]")
    assert accept.inner_text() == "Accept 4"
    accept.click()
    page.wait_for_load_state()
    success = page.locator("ul.messagelist li.success")
    success.wait_for()
    assert success.inner_text().startswith("Approved 4 machine suggestions at 80\xa0% or more: #")
    for suggestion in confident:
        card = page.locator(f"#desk-item-{suggestion.pk}")
        assert card.get_attribute("data-status") == "approved"
        assert card.locator(".desk-status").inner_text().lower() == "approved"
        assert card.locator(".desk-origin-machine").is_visible()  # still said to be a suggestion
    assert {a.status for a in Annotation.objects.filter(pk__in=[a.pk for a in confident])} == {"approved"}
    assert {a.status for a in Annotation.objects.filter(pk__in=[a.pk for a in unsure])} == {"pending"}
    assert AnnotationEvent.objects.filter(action=HistoryAction.APPROVED, actor__username="bob").count() == 4
    assert "2 pending review" in bar.inner_text()
    assert bar.locator("select[name=threshold]").input_value() == "0.5"  # 0.9 and 0.8 have none left
    page.screenshot(path=OUTPUT / "suggestions-accepted-1440.png")

    # A review in place, on a card: the bar follows without a reload.
    page.locator(f"#desk-item-{unsure[0].pk} [data-review=approve]").click()
    wait_for_status_line(page, "Approved")
    page.locator("#desk-suggestions", has_text="1 pending review").wait_for()
    assert page.locator("#desk-suggestions [data-suggestions-accept]").inner_text() == "Accept 1"

    # A card on hover, the cards on a phone, the suggestion's own page, and the list of them by confidence.
    page.locator(f"#mark-{unsure[0].pk}").hover()
    page.locator("#desk-tooltip .desk-origin-machine").wait_for()
    page.screenshot(path=OUTPUT / "suggestions-card-1440.png")
    page.mouse.move(1, 1)
    page.set_viewport_size(PHONE)
    page.locator("#desk-list").screenshot(path=OUTPUT / "suggestions-cards-390.png")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/admin/annotations/annotation/{unsure[0].pk}/change/")
    assert page.locator(".desk-in-text .desk-origin-machine").inner_text() == f"Suggested by {NER} · 62\xa0%"
    shoot(page, "suggestions-annotation")
    page.goto(f"{live_server.url}/admin/annotations/annotation/?origin=machine&confidence=medium")
    assert page.locator("#result_list tbody tr").count() == 4  # 88 %, 81 %, 62 %, 55 %
    assert page.locator("#result_list .desk-origin-machine").count() == 4
    shoot(page, "suggestions-list")
    page.close()
