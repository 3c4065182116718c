"""Revisions and re-anchoring in a real browser: an annotator revises a seed article from its page,
the revision's page shows the diff and each annotation's outcome, and another reviewer confirms the
fuzzy annotation from the re-anchoring queue; a reviewer places an orphaned one again by selecting
its new text after an emoji (code points, not UTF-16 units).

Screenshots at 1440 and 390 px wide go to test-output/ for a person to look at.
"""

from annotations.models import Annotation, Article, HistoryAction, Status
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.desk.conftest import BROWSER_MARKS, OUTPUT, REVISED_BODY
from tests.desk.test_browser import drag_select, log_in

pytestmark = BROWSER_MARKS

WIDE, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    """A full-page screenshot at 1440 px, then at 390 px, checking nothing widens the phone's page."""
    page.set_viewport_size(WIDE)
    page.screenshot(path=OUTPUT / f"{name}-1440.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name} is wider than a phone"
    page.screenshot(path=OUTPUT / f"{name}-390.png", full_page=True)
    page.set_viewport_size(WIDE)


def test_a_revision_makes_an_annotation_fuzzy_and_another_reviewer_confirms_it(
    chromium, live_server, make_user, seed_articles
):
    alice, bob = make_user("annotator", "alice"), make_user("reviewer", "bob")
    make_user("reviewer", "dave")
    kyodo = next(a for a in seed_articles if a.title.startswith("Japan to accept people fleeing Ukraine"))
    said = annotation_create(
        actor=alice, article=kyodo, kind="claim", quote="Prime Minister Fumio Kishida said Wednesday"
    )
    support = annotation_create(actor=alice, article=kyodo, kind="claim", quote="humanitarian support")
    annotation_approve(actor=bob, annotation_id=support.pk)
    agency = annotation_create(
        actor=alice,
        article=kyodo,
        kind="entity",
        entity_type="ORG",
        quote="Office of the U.N. High Commissioner for Refugees",
    )
    OUTPUT.mkdir(exist_ok=True)
    new_body = kyodo.body.replace(
        "Prime Minister Fumio Kishida said Wednesday", "Prime Minister Fumio Kishida said on Wednesday"
    ).replace("Office of the U.N. High Commissioner for Refugees", "UN refugee agency")

    # alice revises the text from the article's page.
    page = log_in(chromium, live_server, "alice", f"/admin/annotations/article/{kyodo.pk}/change/")
    assert page.locator("#desk-revision").inner_text().strip() == "Revision 1"
    page.locator("#desk-revise summary").click()
    page.locator("#desk-revise textarea[name=body]").fill(new_body)
    page.locator("#desk-revise input[name=note]").fill("Kyodo correction: the day, the agency's name")
    page.locator("#desk-revise button[type=submit]").click()
    page.wait_for_url(f"**/admin/annotations/article/{kyodo.pk}/revisions/2/")
    assert "Stored revision 2: 1 moved, 1 fuzzy, 1 orphaned." in page.locator(".messagelist").inner_text()
    counts = page.locator("#revision-summary").inner_text()
    assert "FUZZY 1" in counts.upper().replace("\n", " ")
    assert page.locator(".desk-diff ins", has_text="on").count() >= 1
    assert page.locator(".desk-diff del", has_text="Office of the U.N. High Commissioner for Refugees").count() == 1
    assert page.locator(f'#revision-outcomes tr[data-annotation-id="{said.pk}"][data-outcome="fuzzy"]').count() == 1
    shoot(page, "revision-page")
    page.goto(f"{live_server.url}/admin/annotations/article/{kyodo.pk}/change/")
    assert page.locator("#desk-revision").inner_text().startswith("Revision 2 · revised")
    shoot(page, "article-revision-2")
    page.close()

    # dave, another reviewer, opens the queue from his home and confirms the fuzzy one.
    page = log_in(chromium, live_server, "dave", "/admin/")
    page.get_by_role("link", name="To re-anchor (2)").click()
    page.wait_for_url("**/admin/annotations/annotation/reanchor/")
    item = page.locator(f"#reanchor-{said.pk}")
    assert "Prime Minister Fumio Kishida said Wednesday" in item.locator(".desk-quote-old").inner_text()
    assert "said on Wednesday" in item.locator("mark").inner_text()
    orphan = page.locator(f"#reanchor-{agency.pk}")
    assert "Not found in the new text." in orphan.inner_text()
    assert "Only the annotation's author or an admin may delete it." in orphan.inner_text()
    shoot(page, "reanchor-queue")
    item.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/admin/annotations/annotation/reanchor/")
    assert f"Confirmed and approved #{said.pk}" in page.locator(".messagelist").inner_text()
    assert page.locator(f"#reanchor-{said.pk}").count() == 0
    shoot(page, "reanchor-queue-confirmed")
    page.close()

    said.refresh_from_db()
    assert (said.status, said.reviewed_by.username, said.quote, said.revision) == (
        Status.APPROVED,
        "dave",
        "Prime Minister Fumio Kishida said on Wednesday",
        2,
    )
    assert list(said.events.values_list("action", flat=True)) == [
        HistoryAction.CREATED,
        HistoryAction.FUZZY,
        HistoryAction.APPROVED,
    ]
    assert Annotation.objects.get(pk=support.pk).status == Status.APPROVED  # moved, still approved
    assert Annotation.objects.get(pk=agency.pk).status == Status.ORPHANED
    assert Article.objects.get(pk=kyodo.pk).revision == 2


def test_a_reviewer_places_an_orphan_again_by_selecting_its_text_after_an_emoji(
    chromium, live_server, revised, reviewer
):
    orphan = revised["Зеленский"]
    page = log_in(chromium, live_server, "bob", "/admin/annotations/annotation/reanchor/")
    page.locator(f"#reanchor-{orphan.pk}").get_by_role("link", name="Re-place").click()
    page.wait_for_url(f"**/reanchor/{orphan.pk}/place/")
    save = page.locator("#desk-place button[type=submit]")
    assert save.is_disabled()
    drag_select(page, "Zelensky", container_id="place-body")
    page.locator(".desk-place-chosen", has_text="Zelensky").wait_for()
    start = REVISED_BODY.index("Zelensky")  # code points: 🇯🇵 is two here, four UTF-16 units in the page
    assert page.locator(".desk-place-chosen .desk-popup-span").inner_text() == f"{start}\N{EN DASH}{start + 8}"
    shoot(page, "reanchor-place")
    save.click()
    page.wait_for_url("**/admin/annotations/annotation/reanchor/")
    assert f"Placed #{orphan.pk} “Zelensky”" in page.locator(".messagelist").inner_text()
    page.close()
    orphan.refresh_from_db()
    assert (orphan.status, orphan.start, orphan.end, orphan.quote, orphan.revision) == (
        Status.PENDING,
        start,
        start + 8,
        "Zelensky",
        2,
    )
