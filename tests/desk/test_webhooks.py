"""Webhooks on the desk (desk/webhooks.py), for admins only: the list, adding one (its secret shown
once), a webhook's page with its latest delivery attempts, pause, resume, replay from a cursor,
changing and deleting it; every write through services/webhooks.py, its refusals on the form.

Subscribing resolves the URL's host: these tests use 127.0.0.1, allowed with
WEBHOOK_ALLOW_PRIVATE_URLS (the `subscribed` fixture sets it), and refused without it.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.models import FeedHorizon, WebhookDelivery, WebhookSubscription
from annotations.services.webhooks import webhook_subscribe

HOOK = "http://127.0.0.1:9/hooks/copydesk"
LIST = reverse("admin:annotations_webhooksubscription_changelist")
ADD = reverse("admin:annotations_webhooksubscription_add")


def page_of(subscription) -> str:
    return reverse("admin:annotations_webhooksubscription_change", args=[subscription.pk])


def url_of(name: str, subscription) -> str:
    return reverse(f"admin:annotations_webhooksubscription_{name}", args=[subscription.pk])


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def form_data(**fields) -> dict:
    data = {"url": HOOK, "description": "", "article": "", "source": "", "language": ""}
    return {**data, **fields}


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def subscribed(admin_user, allow_loopback) -> WebhookSubscription:
    """A webhook to HOOK for approvals from Test Wire, added by root through the service."""
    made = webhook_subscribe(
        actor=admin_user,
        url=HOOK,
        types=["annotation.approved"],
        filters={"source": "Test Wire"},
        description="Search index",
    )
    return made.subscription


def deliver(subscription, change_id: int, *, attempt: int = 1, status=200, error="", ago=0) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=subscription,
        change_id=change_id,
        attempt=attempt,
        at=timezone.now() - timedelta(minutes=ago),
        status_code=status,
        error=error,
        duration_ms=42,
    )


# -- adding, and the secret shown once


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(admin_user, browser_for, allow_loopback, article):
    """The form's types, filters and description reach webhook_subscribe; the next page shows the
    secret with the warning, and no page shows it after."""
    client = browser_for(admin_user)
    data = form_data(
        url="http://127.0.0.1:9/a/very/long/path/to/the/receiver?token=abc",
        description="Search index",
        types=["annotation.approved", "annotation.withdrawn"],
        article=f"{article.pk}",
        kind=["claim", "entity"],
        source="Test Wire, Kyodo",
        language="en",
    )
    response = client.post(ADD, data)
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url_of("secret", subscription)
    assert (subscription.types, subscription.filters, subscription.description, subscription.created_by) == (
        ["annotation.approved", "annotation.withdrawn"],
        {"article": [article.pk], "kind": ["claim", "entity"], "source": ["Test Wire", "Kyodo"], "language": ["en"]},
        "Search index",
        admin_user,
    )

    first = client.get(response["Location"]).content.decode()
    assert subscription.secret.startswith("whsec_")
    assert f'id="webhook-secret-value" aria-label="The signing secret">{subscription.secret}<' in first
    assert "Copy it now: it will not be shown again." in text_of(first)

    again = client.get(response["Location"]).content.decode()
    assert subscription.secret not in again
    assert "Its secret was shown once" in text_of(again)
    for later in (page_of(subscription), LIST):
        assert subscription.secret not in client.get(later).content.decode()


def test_the_secret_is_not_shown_to_another_session_of_the_admin(admin_user, browser_for, allow_loopback):
    """Only the session that added the webhook sees its secret, on the page it lands on."""
    browser_for(admin_user).post(ADD, form_data())
    subscription = WebhookSubscription.objects.get()
    html = browser_for(admin_user).get(url_of("secret", subscription)).content.decode()
    assert subscription.secret not in html
    assert "Its secret was shown once" in text_of(html)


def test_a_loopback_url_is_refused_on_the_form_when_private_urls_are_not_allowed(admin_user, browser_for, settings):
    """The service's SSRF refusal is shown beside the URL, naming the loopback address; nothing is stored."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = browser_for(admin_user).post(ADD, form_data(url="http://127.0.0.1:9/hook"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"]
    assert "127.0.0.1" in errors["url"][0] and "loopback" in errors["url"][0]
    assert errors["url"][0] in unescape(response.content.decode())
    assert not WebhookSubscription.objects.exists()


def test_the_services_refusal_of_a_filter_is_shown_on_the_form(admin_user, browser_for, allow_loopback):
    """An article id that names no article: the service's message heads the form; nothing is stored."""
    response = browser_for(admin_user).post(ADD, form_data(article="999999"))
    html = text_of(response.content.decode())
    assert response.status_code == 200
    assert "Please correct the error below." in html
    [message] = response.context["adminform"].form.non_field_errors()
    assert message.startswith("article:") and "999999" in message
    assert message in html
    assert not WebhookSubscription.objects.exists()


def test_a_url_that_is_not_one_is_refused_beside_the_field(admin_user, browser_for, allow_loopback):
    response = browser_for(admin_user).post(ADD, form_data(url="ftp://example.com/hook"))
    assert response.context["adminform"].form.errors["url"] == ["Only http and https URLs can receive webhooks."]


# -- the list


def test_the_list_shows_each_webhook_with_its_state_cursor_and_failures(subscribed, admin_user, browser_for):
    """Paused webhooks say why; failures and the next attempt are columns."""
    WebhookSubscription.objects.filter(pk=subscribed.pk).update(
        active=False, paused_reason="Paused after 9 failed attempts over 24.0 hours.", failures=9, position=17
    )
    html = text_of(browser_for(admin_user).get(LIST).content.decode())
    assert "Webhook subscriptions" in html
    for shown in (HOOK, "Search index", "annotation.approved", "Paused", "Paused after 9 failed attempts", "17", "9"):
        assert shown in html


def test_the_list_reads_the_same_queries_however_many_webhooks(subscribed, admin_user, browser_for):
    client = browser_for(admin_user)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(5):
        webhook_subscribe(actor=admin_user, url=f"{HOOK}/{n}")
    with CaptureQueriesContext(connection) as six:
        html = client.get(LIST).content.decode()
    assert len(one) == len(six)
    assert html.count(f"{HOOK}/") == 5


# -- a webhook's page: deliveries, pause, resume, replay


def test_the_page_lists_the_latest_attempts_failed_ones_marked(subscribed, admin_user, browser_for):
    deliver(subscribed, 4, ago=3)
    deliver(subscribed, 5, status=503, error="Service Unavailable: the index is rebuilding", ago=2)
    deliver(subscribed, 5, attempt=2, status=None, error="ConnectionRefusedError: [Errno 111] Connection refused")
    html = browser_for(admin_user).get(page_of(subscribed)).content.decode()
    rows = re.findall(r'<tr class="(desk-delivery-\w+)" data-delivery-id="\d+">(.*?)</tr>', html, re.S)
    assert [(kind, text_of(row).split(" ")[:2]) for kind, row in rows] == [
        ("desk-delivery-failed", ["5", "2"]),
        ("desk-delivery-failed", ["5", "1"]),
        ("desk-delivery-ok", ["4", "1"]),
    ]
    assert "Failed ConnectionRefusedError: [Errno 111] Connection refused" in text_of(rows[0][1])
    assert "Failed HTTP 503 Service Unavailable: the index is rebuilding" in text_of(rows[1][1])
    assert "Delivered HTTP 200" in text_of(rows[2][1])
    assert "42 ms" in text_of(rows[2][1])


def test_the_page_reads_the_same_queries_however_many_attempts_and_shows_the_latest_fifty(
    subscribed, admin_user, browser_for
):
    """The attempts are capped, read in one query: a long history costs the page nothing more."""
    client = browser_for(admin_user)
    deliver(subscribed, 1)
    client.get(page_of(subscribed))  # the session's first read
    with CaptureQueriesContext(connection) as few:
        first = client.get(page_of(subscribed)).content.decode()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscribed, change_id=n, attempt=1, at=timezone.now(), status_code=200, duration_ms=5
        )
        for n in range(2, 80)
    )
    with CaptureQueriesContext(connection) as many:
        html = client.get(page_of(subscribed)).content.decode()
    assert len(few) == len(many) == 4  # session, user, the webhook with its author, the attempts
    assert first.count("data-delivery-id=") == 1
    assert html.count("data-delivery-id=") == 50
    assert "The 50 latest attempts; older ones are in the API's list" in text_of(html)


def test_pause_then_resume(subscribed, admin_user, browser_for):
    """Pause says why on the page and in the list; resume clears the failures and tries again at once."""
    client = browser_for(admin_user)
    response = client.post(url_of("pause", subscribed), follow=True)
    html = text_of(response.content.decode())
    assert response.redirect_chain == [(page_of(subscribed), 302)]
    assert "Paused: nothing is delivered until it is resumed" in html
    assert "Paused Paused by an admin." in html
    assert "Resume" in html and ">Pause<" not in response.content.decode()
    assert "Paused by an admin." in text_of(client.get(LIST).content.decode())

    WebhookSubscription.objects.filter(pk=subscribed.pk).update(failures=3, next_attempt_at=timezone.now())
    html = text_of(client.post(url_of("resume", subscribed), follow=True).content.decode())
    assert "Resumed: the change it stopped at is tried again at once." in html
    subscribed.refresh_from_db()
    assert (subscribed.active, subscribed.paused_reason, subscribed.failures, subscribed.next_attempt_at) == (
        True,
        "",
        0,
        None,
    )


def test_pause_and_resume_take_posts_only(subscribed, admin_user, browser_for):
    client = browser_for(admin_user)
    assert client.get(url_of("pause", subscribed)).status_code == 405
    assert client.get(url_of("resume", subscribed)).status_code == 405


def test_replay_from_a_cursor_sets_the_position_back(subscribed, admin_user, browser_for):
    WebhookSubscription.objects.filter(pk=subscribed.pk).update(position=0, failures=2)
    FeedHorizon.objects.create(pk=1, pruned_through=0)
    response = browser_for(admin_user).post(url_of("replay", subscribed), {"after": "0"}, follow=True)
    assert response.redirect_chain == [(page_of(subscribed), 302)]
    assert "Replaying every change after cursor 0." in text_of(response.content.decode())
    subscribed.refresh_from_db()
    assert (subscribed.position, subscribed.failures) == (0, 0)


def test_replaying_a_paused_webhook_resumes_it_and_says_so(subscribed, admin_user, browser_for):
    client = browser_for(admin_user)
    client.post(url_of("pause", subscribed))
    html = text_of(client.post(url_of("replay", subscribed), {"after": "0"}, follow=True).content.decode())
    assert "Replaying every change after cursor 0. It was paused: a replay resumes it." in html
    subscribed.refresh_from_db()
    assert subscribed.active and subscribed.paused_reason == ""


def test_a_cursor_that_is_not_one_is_refused_on_the_replay_form(subscribed, admin_user, browser_for):
    position = subscribed.position
    response = browser_for(admin_user).post(url_of("replay", subscribed), {"after": "yesterday"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "after": ["Not a cursor of this feed: use a cursor, next or Copydesk-Cursor value it gave."]
    }
    assert "Not a cursor of this feed" in text_of(response.content.decode())
    subscribed.refresh_from_db()
    assert subscribed.position == position


def test_a_pruned_cursor_is_refused_on_the_replay_form(subscribed, admin_user, browser_for):
    """Changes up to the horizon are gone: 410, said on the form, the position kept."""
    FeedHorizon.objects.create(pk=1, pruned_through=40)
    WebhookSubscription.objects.filter(pk=subscribed.pk).update(position=45)
    response = browser_for(admin_user).post(url_of("replay", subscribed), {"after": "12"})
    assert response.status_code == 410
    [message] = response.context["form"].non_field_errors()
    assert message.startswith("Changes up to 40 are no longer kept.")
    assert "Changes up to 40 are no longer kept." in text_of(response.content.decode())
    subscribed.refresh_from_db()
    assert subscribed.position == 45


def test_an_empty_cursor_is_refused_on_the_replay_form(subscribed, admin_user, browser_for):
    response = browser_for(admin_user).post(url_of("replay", subscribed), {"after": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"after": ["This field is required."]}


# -- changing and deleting


def test_changing_the_settings_goes_through_webhook_update(subscribed, admin_user, browser_for, settings):
    """Only what changed is sent: an unchanged loopback URL is not checked again, now that it would
    be refused; the filters are replaced as a whole."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    data = form_data(description="Search index (staging)", types=["annotation.withdrawn"], kind=["claim"])
    response = browser_for(admin_user).post(page_of(subscribed), data, follow=True)
    assert response.redirect_chain == [(page_of(subscribed), 302)]
    assert f"Saved the webhook to {HOOK}." in text_of(response.content.decode())
    subscribed.refresh_from_db()
    assert (subscribed.description, subscribed.types, subscribed.filters) == (
        "Search index (staging)",
        ["annotation.withdrawn"],
        {"kind": ["claim"]},
    )


def test_the_change_form_shows_the_stored_filters(subscribed, admin_user, browser_for):
    form = browser_for(admin_user).get(page_of(subscribed)).context["adminform"].form
    assert (form["source"].value(), form["types"].value(), form["description"].value()) == (
        "Test Wire",
        ["annotation.approved"],
        "Search index",
    )


def test_a_new_url_is_checked_again(subscribed, admin_user, browser_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = browser_for(admin_user).post(page_of(subscribed), form_data(url="http://127.0.0.1:10/other"))
    assert response.status_code == 200
    assert "loopback" in response.context["adminform"].form.errors["url"][0]
    subscribed.refresh_from_db()
    assert subscribed.url == HOOK


def test_deleting_a_webhook_goes_with_its_attempts(subscribed, admin_user, browser_for):
    """The confirmation counts the attempts instead of listing each; deleting leaves none."""
    deliver(subscribed, 1)
    deliver(subscribed, 2, status=500, error="oops")
    client = browser_for(admin_user)
    confirm = text_of(client.get(url_of("delete", subscribed)).content.decode())
    assert "Delivery attempts: 2" in confirm
    response = client.post(url_of("delete", subscribed), {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()


# -- admins only


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_other_staff_neither_see_nor_reach_the_webhooks(role, make_user, subscribed, browser_for):
    """Not on their home, and every page and action is 403; nothing changes."""
    client = browser_for(make_user(role))
    assert LIST not in client.get("/admin/").content.decode()
    for url in (LIST, ADD, page_of(subscribed), url_of("secret", subscribed), url_of("replay", subscribed)):
        assert client.get(url).status_code == 403, url
    for url in (ADD, page_of(subscribed), url_of("delete", subscribed)):
        assert client.post(url, form_data(description="mine", post="yes")).status_code == 403, url
    for name in ("pause", "resume"):
        assert client.post(url_of(name, subscribed)).status_code == 403, name
    assert client.post(url_of("replay", subscribed), {"after": "0"}).status_code == 403
    subscribed.refresh_from_db()
    assert (subscribed.active, subscribed.description, WebhookSubscription.objects.count()) == (
        True,
        "Search index",
        1,
    )


def test_admins_find_the_webhooks_on_their_home(admin_user, browser_for):
    assert LIST in browser_for(admin_user).get("/admin/").content.decode()
