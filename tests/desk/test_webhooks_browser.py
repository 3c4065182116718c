"""Webhooks on the desk in a real browser: an admin adds one from the list (a filter the service
refuses first, said on the form), copies its secret from the page after (shown once), opens its
page with failed and delivered attempts, pauses it and resumes it; a cursor that is not one is
refused on the replay form.

Screenshots at 1440 and 390 px wide go to test-output/ for a person to look at.
"""

from datetime import timedelta

from django.utils import timezone

from annotations.models import WebhookDelivery, WebhookSubscription
from tests.desk.conftest import BROWSER_MARKS, OUTPUT
from tests.desk.test_browser import log_in
from tests.desk.test_reanchor_browser import shoot

pytestmark = BROWSER_MARKS

# Long, as receivers' URLs are: it must wrap on a phone, not widen the page.
LONG_URL = (
    "http://127.0.0.1:9/hooks/copydesk/search-index/staging/receivers/annotations-approved-and-withdrawn"
    "?token=0123456789abcdef0123456789abcdef0123456789abcdef"
)


def test_an_admin_adds_a_webhook_reads_its_deliveries_pauses_and_resumes_it(chromium, live_server, make_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver's URL is on loopback
    make_user("admin", "root")
    OUTPUT.mkdir(exist_ok=True)

    page = log_in(chromium, live_server, "root", "/admin/")
    page.get_by_role("link", name="Webhook subscriptions").click()
    page.wait_for_url("**/admin/annotations/webhooksubscription/")
    page.get_by_role("link", name="Add webhook subscription").click()
    page.wait_for_url("**/webhooksubscription/add/")
    page.fill("#id_url", LONG_URL)
    page.fill("#id_description", "Search index (staging)")
    page.get_by_label("annotation.approved").check()
    page.get_by_label("annotation.withdrawn").check()
    page.fill("#id_source", "Kyodo, Test Wire")
    page.fill("#id_article", "424242")
    shoot(page, "webhook-add")
    page.get_by_role("button", name="Save", exact=True).click()
    # The service refuses the filter: said on the form, which keeps what was typed.
    page.locator(".errornote").wait_for()
    assert "article:" in page.locator("ul.errorlist.nonfield").inner_text()
    assert page.locator("#id_url").input_value() == LONG_URL
    shoot(page, "webhook-add-refused")
    page.fill("#id_article", "")
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url("**/secret/")
    subscription = WebhookSubscription.objects.get()
    assert page.locator("#webhook-secret-value").inner_text() == subscription.secret
    assert "Copy it now: it will not be shown again." in page.locator("#webhook-secret").inner_text()
    assert page.locator("#webhook-secret-copy").is_visible()
    shoot(page, "webhook-secret")
    page.reload()
    assert page.locator("#webhook-secret-value").count() == 0
    assert subscription.secret not in page.content()
    shoot(page, "webhook-secret-again")

    # What the worker would have written: change 7 failed twice, then went through; change 8 failed.
    now = timezone.now()
    for change_id, attempt, status, error, ago in [
        (7, 1, 502, "Bad Gateway", 9),
        (7, 2, None, "ConnectionRefusedError: [Errno 111] Connection refused", 8),
        (7, 3, 204, "", 6),
        (8, 1, 500, "<html><body><h1>Internal Server Error</h1>" + "x" * 120 + "</body></html>", 1),
    ]:
        WebhookDelivery.objects.create(
            subscription=subscription,
            change_id=change_id,
            attempt=attempt,
            at=now - timedelta(minutes=ago),
            status_code=status,
            error=error,
            duration_ms=35 * attempt,
        )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        position=7, failures=1, failing_since=now - timedelta(minutes=1), next_attempt_at=now + timedelta(seconds=9)
    )
    page.locator(".desk-webhook-open").click()
    page.wait_for_url(f"**/webhooksubscription/{subscription.pk}/change/")
    rows = page.locator("#webhook-deliveries tbody tr")
    assert rows.count() == 4
    assert page.locator("#webhook-deliveries tr.desk-delivery-failed").count() == 3
    assert "FAILED HTTP 500" in rows.nth(0).inner_text()  # the badges are in capitals
    assert "DELIVERED HTTP 204" in rows.nth(1).inner_text()
    assert "Connection refused" in rows.nth(2).inner_text()
    assert "1 in a row" in page.locator("#webhook-failures").inner_text()
    shoot(page, "webhook-page")

    page.get_by_role("button", name="Pause").click()
    page.wait_for_url(f"**/webhooksubscription/{subscription.pk}/change/")
    assert "Paused: nothing is delivered" in page.locator(".messagelist").inner_text()
    assert page.locator("#webhook-paused-reason").inner_text() == "Paused by an admin."
    shoot(page, "webhook-paused")

    page.goto(f"{live_server.url}/admin/annotations/webhooksubscription/")
    assert "Paused by an admin." in page.locator("#result_list").inner_text()
    shoot(page, "webhook-list")

    page.goto(f"{live_server.url}/admin/annotations/webhooksubscription/{subscription.pk}/change/")
    page.get_by_role("button", name="Resume").click()
    page.wait_for_url(f"**/webhooksubscription/{subscription.pk}/change/")
    assert "Resumed: the change it stopped at is tried again at once." in page.locator(".messagelist").inner_text()
    assert page.get_by_role("button", name="Pause").is_visible()
    assert page.locator("#webhook-failures").inner_text() == "none"
    shoot(page, "webhook-resumed")

    page.fill("#id_after", "last tuesday")
    page.get_by_role("button", name="Replay").click()
    page.wait_for_url(f"**/webhooksubscription/{subscription.pk}/replay/")
    assert "Not a cursor of this feed" in page.locator(".desk-webhook-refusal").inner_text()
    shoot(page, "webhook-replay-refused")
    page.close()

    subscription.refresh_from_db()
    assert (subscription.active, subscription.failures, subscription.position) == (True, 0, 7)
