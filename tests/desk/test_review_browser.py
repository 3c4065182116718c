"""A day at the desk in a real browser: a reviewer works through a queue with the keyboard alone,
and an annotator makes three annotations in a row without the page reloading.

Screenshots go to test-output/ at the repository root for a person to look at.
"""

from annotations.models import Annotation, Status
from annotations.services.annotations import annotation_create
from annotations.services.articles import article_create
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import drag_select, log_in

pytestmark = BROWSER_MARKS

NO_RELOAD = "window.__sameDocument = 'yes'"


def wait_for_status_line(page, text: str) -> None:
    page.locator("#desk-status-line", has_text=text).wait_for()


def test_a_reviewer_works_through_the_queue_with_the_keyboard_alone(chromium, live_server, make_user, article):
    alice, bob = make_user("annotator", "alice"), make_user("reviewer", "bob")
    made = {}
    made["Prime Minister"] = annotation_create(actor=alice, article=article, kind="claim", quote="Prime Minister")
    made["Fumio Kishida"] = annotation_create(
        actor=alice, article=article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"
    )
    own = annotation_create(actor=bob, article=article, kind="entity", quote="Зеленский", entity_type="PERSON")
    made["Kyiv was calm"] = annotation_create(actor=alice, article=article, kind="claim", quote="Kyiv was calm")
    made["The end"] = annotation_create(actor=alice, article=article, kind="claim", quote="The end")
    kyodo = article_create(title="Kyodo report", body="Tokyo said so. Osaka too.", source="Kyodo")
    elsewhere = annotation_create(actor=alice, article=kyodo, kind="entity", quote="Tokyo", entity_type="GPE")
    OUTPUT.mkdir(exist_ok=True)

    page = log_in(chromium, live_server, "bob", "/admin/")
    page.goto(f"{live_server.url}/admin/annotations/annotation/next/")
    # The queue opens the oldest pending annotation that bob may review, its card kept open.
    card = page.locator("#desk-tooltip.desk-pinned")
    card.wait_for()
    assert "Prime Minister" in card.inner_text()
    assert page.url.endswith(f"#mark-{made['Prime Minister'].pk}")

    page.keyboard.press("a")
    wait_for_status_line(page, f"Approved #{made['Prime Minister'].pk}")
    page.keyboard.press("j")
    page.locator("#desk-tooltip.desk-pinned", has_text="Fumio Kishida").wait_for()
    page.keyboard.press("r")
    page.keyboard.type("A person, but the span misses the title.")
    page.screenshot(path=OUTPUT / "queue-rejecting.png", full_page=True)
    page.keyboard.press("Enter")
    wait_for_status_line(page, f"Rejected #{made['Fumio Kishida'].pk}")

    page.keyboard.press("j")  # bob's own annotation: the card says so, and a does nothing
    page.locator("#desk-tooltip.desk-pinned", has_text="Yours: someone else reviews it (four eyes).").wait_for()
    page.keyboard.press("a")
    wait_for_status_line(page, "Yours: someone else reviews it (four eyes).")
    for quote in ("Kyiv was calm", "The end"):
        page.keyboard.press("j")
        page.locator("#desk-tooltip.desk-pinned", has_text=quote).wait_for()
        page.keyboard.press("a")
        wait_for_status_line(page, f"Approved #{made[quote].pk}")
    page.screenshot(path=OUTPUT / "queue-article-done.png", full_page=True)

    page.keyboard.press("n")  # the next article with something for bob to review
    page.wait_for_url(f"**/admin/annotations/article/{kyodo.pk}/change/?queue=1#mark-{elsewhere.pk}")
    page.locator("#desk-tooltip.desk-pinned", has_text="Tokyo").wait_for()
    page.keyboard.press("a")
    wait_for_status_line(page, f"Approved #{elsewhere.pk}")
    page.keyboard.press("n")
    page.wait_for_url("**/admin/annotations/annotation/")
    assert "Your review queue is empty" in page.locator(".messagelist").inner_text()
    page.close()

    statuses = dict(Annotation.objects.values_list("quote", "status"))
    assert statuses == {
        "Prime Minister": Status.APPROVED,
        "Fumio Kishida": Status.REJECTED,
        "Зеленский": Status.PENDING,
        "Kyiv was calm": Status.APPROVED,
        "The end": Status.APPROVED,
        "Tokyo": Status.APPROVED,
    }
    assert (
        Annotation.objects.get(pk=made["Fumio Kishida"].pk).review_comment == "A person, but the span misses the title."
    )
    assert {a.reviewed_by for a in Annotation.objects.exclude(pk=own.pk)} == {bob}


def test_an_annotator_makes_three_annotations_in_a_row_without_a_reload(chromium, live_server, make_user, article):
    """The popup starts clean for each selection (it kept the last note and correction and attached
    them to the next span), remembers only the kind and type, and the page never reloads."""
    make_user("annotator", "alice")
    page = log_in(chromium, live_server, "alice", f"/admin/annotations/article/{article.pk}/change/")
    page.evaluate(NO_RELOAD)
    popup = page.locator("#desk-popup")

    drag_select(page, "Prime Minister")
    popup.wait_for(state="visible")
    page.keyboard.press("1")  # claim
    popup.locator("input[name=claimant]").fill("the ministry")
    popup.locator("textarea[name=note]").fill("First note, for the first span only.")
    popup.locator("button[type=submit]").click()
    wait_for_status_line(page, "Added Claim “Prime Minister”")

    drag_select(page, "Fumio Kishida")
    popup.wait_for(state="visible")
    assert popup.locator("textarea[name=note]").input_value() == ""
    assert popup.locator("input[name=claimant]").input_value() == ""
    assert popup.locator("select[name=kind]").input_value() == "claim"  # remembered on purpose
    page.keyboard.press("2")  # entity, and the focus moves to its type
    page.keyboard.type("Pe")  # the type's own type-ahead: Person
    assert popup.locator("select[name=entity_type]").input_value() == "PERSON"
    popup.locator("button[type=submit]").click()
    wait_for_status_line(page, "Added Entity “Fumio Kishida”")

    drag_select(page, "Kyiv was")
    popup.wait_for(state="visible")
    assert popup.locator("textarea[name=note]").input_value() == ""
    assert popup.locator("select[name=entity_type]").input_value() == "PERSON"  # the type is remembered too
    page.keyboard.press("1")
    page.keyboard.press("Alt+ArrowRight")  # the end, one word on
    assert popup.locator(".desk-popup-quote q").inner_text() == "Kyiv was calm"
    page.screenshot(path=OUTPUT / "desk-third-annotation.png", full_page=True)
    popup.locator("button[type=submit]").click()
    wait_for_status_line(page, "Added Claim “Kyiv was calm”")

    assert page.evaluate("window.__sameDocument") == "yes"  # never reloaded
    assert page.locator("#desk-body mark[id^=mark-]").count() == 3
    assert page.locator("#desk-count").inner_text() == "3"
    page.screenshot(path=OUTPUT / "desk-three-annotations.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the card of the first annotation, opened by key
    page.keyboard.press("j")
    card = page.locator("#desk-tooltip.desk-pinned", has_text="Prime Minister")
    card.wait_for()
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the card fits the screen
    page.screenshot(path=OUTPUT / "desk-article-390.png", full_page=True)
    page.close()
    made = {a.quote: a for a in Annotation.objects.all()}
    assert set(made) == {"Prime Minister", "Fumio Kishida", "Kyiv was calm"}
    assert (made["Prime Minister"].note, made["Prime Minister"].claimant) == (
        "First note, for the first span only.",
        "the ministry",
    )
    assert (made["Fumio Kishida"].kind, made["Fumio Kishida"].entity_type, made["Fumio Kishida"].note) == (
        "entity",
        "PERSON",
        "",
    )
    assert (made["Kyiv was calm"].kind, made["Kyiv was calm"].note, made["Kyiv was calm"].claimant) == ("claim", "", "")
