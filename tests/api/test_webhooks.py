"""/api/webhooks/: admins subscribe, read, change, pause and resume, replay and unsubscribe;
the secret is shown once; bad input is a 400 naming the field; others are refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import Change, WebhookDelivery, WebhookSubscription
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from annotations.services.webhooks import deliver_due, webhook_subscribe

pytestmark = pytest.mark.django_db

URL = "/api/webhooks/"


@pytest.fixture
def admin(client_for, admin_user):
    return client_for(admin_user)


def test_an_admin_subscribes_and_sees_the_secret_once(admin, receiver):
    response = admin.post(
        URL,
        {"url": receiver.url, "types": ["annotation.withdrawn"], "filters": {"kind": ["claim"]}, "description": "CMS"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["active"] is True
    assert (created["types"], created["filters"], created["description"]) == (
        ["annotation.withdrawn"],
        {"kind": ["claim"]},
        "CMS",
    )
    listed = admin.get(URL).json()["results"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in admin.get(f"{URL}{created['id']}/").json()


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": "http://127.0.0.1:9/hook"}, "url", "127.0.0.1 is a loopback address"),
        ({"url": "http://169.254.169.254/"}, "url", "link-local"),
        ({"url": "not-a-url"}, "url", "Only http and https"),
        ({"url": "not a url"}, "url", "spaces"),
        ({}, "url", "required"),
        ({"url": "ftp://x/", "types": ["nope"]}, "types", "nope"),  # every field's refusal at once
        ({"url": "https://8.8.8.8/hook", "types": ["annotation.created"]}, "types", "annotation.created"),
        ({"url": "https://8.8.8.8/hook", "types": "annotation.approved"}, "types", "list"),
        ({"url": "https://8.8.8.8/hook", "filters": {"status": "pending"}}, "filters", "Unknown filters: status"),
        ({"url": "https://8.8.8.8/hook", "filters": {"kind": "opinion"}}, "filters", "kind"),
        ({"url": "https://8.8.8.8/hook", "filters": {"kind": {"a": 1}}}, "filters", "value or a list"),
    ],
)
def test_bad_subscriptions_are_a_400_naming_the_field(admin, settings, body, field, says):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = admin.post(URL, body, format="json")
    assert response.status_code == 400
    assert says in " ".join(response.json()[field])
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "consumer"])
def test_only_admins_may_see_or_manage_webhooks(client_for, make_user, role, receiver):
    client = client_for(make_user(role, f"a-{role}"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"url": receiver.url}, format="json").status_code == 403


def test_an_admin_changes_pauses_resumes_and_deletes(admin, receiver):
    created = admin.post(URL, {"url": receiver.url}, format="json").json()
    detail = f"{URL}{created['id']}/"
    changed = admin.patch(detail, {"description": "Dashboard", "types": ["annotation.approved"]}, format="json")
    assert changed.status_code == 200 and changed.json()["description"] == "Dashboard"
    paused = admin.patch(detail, {"active": False}, format="json").json()
    assert (paused["active"], paused["paused_reason"]) == (False, "Paused by an admin.")
    resumed = admin.patch(detail, {"active": True}, format="json").json()
    assert (resumed["active"], resumed["paused_reason"]) == (True, "")
    assert admin.patch(detail, {"url": "http://10.0.0.1/"}, format="json").status_code == 200  # allowed here
    assert admin.delete(detail).status_code == 204
    assert admin.get(detail).status_code == 404


def test_deliveries_and_replay(admin, receiver, annotator, reviewer, article):
    created = admin.post(URL, {"url": receiver.url}, format="json").json()
    claims = [
        annotation_create(actor=annotator, article=article, kind="claim", quote=q) for q in ("Kyiv was calm", "The end")
    ]
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    receiver.answers = [500]
    deliver_due(worker="w1")
    WebhookSubscription.objects.update(next_attempt_at=timezone.now())
    deliver_due(worker="w1")
    first, second = Change.objects.order_by("id").values_list("id", flat=True)

    deliveries = admin.get(f"{URL}{created['id']}/deliveries/").json()
    assert deliveries["count"] == 3
    newest, retried, failed = deliveries["results"]
    assert (failed["cursor"], failed["attempt"], failed["status_code"], failed["delivered"]) == (
        str(first),
        1,
        500,
        False,
    )
    assert failed["error"] == "answer 500" and failed["duration_ms"] >= 0
    assert (retried["cursor"], retried["attempt"], retried["delivered"]) == (str(first), 2, True)
    assert newest["cursor"] == str(second)
    assert admin.get(f"{URL}{created['id']}/").json()["cursor"] == str(second)

    replayed = admin.post(f"{URL}{created['id']}/replay/", {"after": str(first)}, format="json")
    assert replayed.status_code == 200 and replayed.json()["cursor"] == str(first)
    deliver_due(worker="w1")
    assert receiver.requests[-1].headers["webhook-id"] == str(second)
    assert WebhookDelivery.objects.count() == 4

    assert admin.post(f"{URL}{created['id']}/replay/", {"after": "x"}, format="json").status_code == 400
    assert admin.post(f"{URL}{created['id']}/replay/", {}, format="json").status_code == 400
    ahead = admin.post(f"{URL}{created['id']}/replay/", {"after": str(second + 100)}, format="json")
    assert ahead.status_code == 410


def test_lists_cost_the_same_queries_whatever_their_length(admin, receiver, admin_user):
    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        return len(captured)

    first = webhook_subscribe(actor=admin_user, url=receiver.url).subscription
    deliveries = f"{URL}{first.pk}/deliveries/"
    few = (queries(URL), queries(deliveries))
    for _ in range(5):
        webhook_subscribe(actor=admin_user, url=receiver.url)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription=first, change_id=n, attempt=1, at=timezone.now(), status_code=204, duration_ms=3)
        for n in range(30)
    )
    assert (queries(URL), queries(deliveries)) == few
