"""Webhook delivery through the services: signed per Standard Webhooks (checked with the
`standardwebhooks` library's own verifier), in feed order, at least once; types and filters;
retries with backoff, pause after the horizon, resume; replay; SSRF refusals; redirects and
timeouts; one worker at a time per subscription."""

import contextlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from annotations.domain.errors import Gone, InvalidInput, NotAllowed
from annotations.models import Change, WebhookDelivery, WebhookSubscription
from annotations.selectors.feed import change_payload
from annotations.services.annotations import annotation_create
from annotations.services.feed import prune_changes
from annotations.services.reviews import annotation_approve, annotation_reopen
from annotations.services.webhooks import (
    _claim,
    deliver_due,
    send,
    webhook_replay,
    webhook_subscribe,
    webhook_update,
)

pytestmark = pytest.mark.django_db


def subscribe(admin_user, receiver, **options):
    return webhook_subscribe(actor=admin_user, url=receiver.url, **options)


def verified(subscribed, request) -> dict:
    """The delivery's body, once the library of the specification has checked its signature."""
    return Webhook(subscribed.secret).verify(request.body, request.headers)


def test_each_change_is_delivered_signed_in_feed_order(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    assert subscribed.secret.startswith("whsec_")
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    annotation_reopen(actor=reviewer, annotation_id=claims[0].pk)

    assert deliver_due(worker="w1") == 4
    changes = list(Change.objects.order_by("id"))
    requests = receiver.requests
    assert [r.headers["webhook-id"] for r in requests] == [str(c.id) for c in changes]
    assert [verified(subscribed, r) for r in requests] == [change_payload(c) for c in changes]
    assert requests[0].headers["content-type"] == "application/json" and requests[0].path == "/hooks/copydesk"
    assert json.loads(requests[-1].body)["type"] == "annotation.withdrawn"
    subscription = WebhookSubscription.objects.get()
    assert subscription.position == changes[-1].id and subscription.failures == 0
    assert [(d.change_id, d.attempt, d.status_code) for d in WebhookDelivery.objects.order_by("id")] == [
        (c.id, 1, 204) for c in changes
    ]
    assert deliver_due(worker="w1") == 0  # nothing new: nothing sent again


def test_a_signature_made_with_another_secret_does_not_verify(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    other = subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    deliver_due(worker="w1")
    first, second = receiver.requests
    assert verified(other, second)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verified(other, first)


def test_a_subscription_gets_the_changes_made_after_it_only(admin_user, reviewer, claims, receiver):
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[1].pk)
    deliver_due(worker="w1")
    assert [json.loads(r.body)["annotation_id"] for r in receiver.requests] == [claims[1].pk]


def test_types_and_filters_choose_what_is_delivered(admin_user, reviewer, annotator, claims, receiver, article):
    withdrawals = subscribe(admin_user, receiver, types=["annotation.withdrawn"])
    entities = subscribe(admin_user, receiver, filters={"kind": "entity"})
    entity = annotation_create(actor=annotator, article=article, kind="entity", quote="Зеленский", entity_type="PERSON")
    for annotation in (claims[0], entity):
        annotation_approve(actor=reviewer, annotation_id=annotation.pk)
    annotation_reopen(actor=reviewer, annotation_id=claims[0].pk)
    deliver_due(worker="w1")
    got = {}
    for request in receiver.requests:
        for subscribed in (withdrawals, entities):
            with contextlib.suppress(WebhookVerificationError):  # signed for the other one
                body = verified(subscribed, request)
                got.setdefault(subscribed.subscription.pk, []).append((body["type"], body["annotation_id"]))
    assert got == {
        withdrawals.subscription.pk: [("annotation.withdrawn", claims[0].pk)],
        entities.subscription.pk: [("annotation.approved", entity.pk)],
    }
    # Both have read past what their filters left out.
    newest = Change.objects.order_by("id").last().id
    assert set(WebhookSubscription.objects.values_list("position", flat=True)) == {newest}


def test_a_failure_is_retried_later_with_the_same_id_then_delivered(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    annotation_approve(actor=reviewer, annotation_id=claims[1].pk)
    receiver.answers = [500]
    before = timezone.now()
    assert deliver_due(worker="w1") == 0
    subscription = WebhookSubscription.objects.get()
    assert subscription.failures == 1 and subscription.failing_since is not None
    assert before + timedelta(seconds=1) <= subscription.next_attempt_at <= timezone.now() + timedelta(seconds=5)
    failed = WebhookDelivery.objects.get()
    assert (failed.status_code, failed.error, failed.delivered) == (500, "answer 500", False)
    assert len(receiver.requests) == 1  # the second change waits behind the first: order kept

    assert deliver_due(worker="w1") == 0 and len(receiver.requests) == 1  # not due yet
    WebhookSubscription.objects.update(next_attempt_at=timezone.now())
    assert deliver_due(worker="w1") == 2
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids[0] == ids[1] and len(set(ids)) == 2
    assert list(WebhookDelivery.objects.order_by("id").values_list("attempt", "status_code")) == [
        (1, 500),
        (2, 204),
        (1, 204),
    ]
    assert WebhookSubscription.objects.get().failures == 0


def test_failing_past_the_horizon_pauses_until_resumed(admin_user, reviewer, claims, receiver, settings):
    subscribed = subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    receiver.default = 503
    deliver_due(worker="w1")
    WebhookSubscription.objects.update(
        next_attempt_at=timezone.now(), failing_since=timezone.now() - timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    )
    deliver_due(worker="w1")
    subscription = WebhookSubscription.objects.get()
    assert subscription.active is False
    assert "Paused after 2 failed attempts over 24.0 hours" in subscription.paused_reason
    assert deliver_due(worker="w1") == 0 and len(receiver.requests) == 2

    receiver.default = 200
    webhook_update(actor=admin_user, subscription_id=subscribed.subscription.pk, active=True)
    resumed = WebhookSubscription.objects.get()
    assert (resumed.active, resumed.paused_reason, resumed.failures) == (True, "", 0)
    assert deliver_due(worker="w1") == 1


def test_replay_delivers_again_from_a_cursor(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    deliver_due(worker="w1")
    first = receiver.requests[0].headers["webhook-id"]
    webhook_replay(actor=admin_user, subscription_id=subscribed.subscription.pk, after=first)
    assert deliver_due(worker="w1") == 2
    assert [r.headers["webhook-id"] for r in receiver.requests[3:]] == [
        r.headers["webhook-id"] for r in receiver.requests[1:3]
    ]


def test_replay_refuses_a_cursor_no_longer_kept_or_not_a_cursor(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    annotation_approve(actor=reviewer, annotation_id=claims[1].pk)
    Change.objects.filter(annotation_id=claims[0].pk).update(at="2020-01-01T00:00:00Z")
    prune_changes()
    with pytest.raises(Gone):
        webhook_replay(actor=admin_user, subscription_id=subscribed.subscription.pk, after="0")
    with pytest.raises(InvalidInput) as error:
        webhook_replay(actor=admin_user, subscription_id=subscribed.subscription.pk, after="yesterday")
    assert "after" in error.value.errors


def test_a_subscription_behind_the_changes_kept_is_paused_saying_so(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    annotation_approve(actor=reviewer, annotation_id=claims[1].pk)
    Change.objects.filter(annotation_id=claims[0].pk).update(at="2020-01-01T00:00:00Z")
    prune_changes()
    deliver_due(worker="w1")
    subscription = WebhookSubscription.objects.get()
    assert not subscription.active and "no longer kept" in subscription.paused_reason
    assert receiver.requests == []
    # A replay from a cursor that is kept resumes it.
    kept = Change.objects.order_by("id").first().id
    webhook_replay(actor=admin_user, subscription_id=subscription.pk, after=str(kept - 1))
    assert WebhookSubscription.objects.get().active
    assert deliver_due(worker="w1") == 1


def test_a_url_put_right_is_tried_at_once(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    receiver.answers = [404]
    deliver_due(worker="w1")
    assert WebhookSubscription.objects.get().next_attempt_at > timezone.now()
    webhook_update(actor=admin_user, subscription_id=subscribed.subscription.pk, url=receiver.url + "/fixed")
    assert deliver_due(worker="w1") == 1 and receiver.requests[-1].path.endswith("/fixed")


def test_a_description_too_long_is_refused(admin_user, receiver):
    with pytest.raises(InvalidInput) as error:
        subscribe(admin_user, receiver, description="x" * 501)
    assert "description" in error.value.errors


def test_only_admins_manage_webhooks(reviewer, receiver):
    with pytest.raises(NotAllowed):
        webhook_subscribe(actor=reviewer, url=receiver.url)


# --- what the service refuses to call ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private address"),
        ("http://192.168.1.20/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("ftp://example.com/hook", "Only http and https"),
        ("https:///hook", "no host"),
        ("http://example.com:99999/", "Not a valid URL"),
        ("http://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_urls_that_reach_inside_are_refused_naming_why(admin_user, settings, url, named):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(InvalidInput) as error:
        webhook_subscribe(actor=admin_user, url=url)
    assert named in error.value.errors["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_the_address_is_checked_again_when_delivering(admin_user, reviewer, claims, receiver, settings):
    """A name may resolve elsewhere later (DNS rebinding): the check is made at each connection."""
    subscribe(admin_user, receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    deliver_due(worker="w1")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and "Refused" in delivery.error and "loopback" in delivery.error
    assert receiver.requests == []


def test_a_redirect_is_not_followed(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    receiver.answers, receiver.location = [302], "http://169.254.169.254/latest/meta-data/"
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    deliver_due(worker="w1")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == 302 and "not followed" in delivery.error
    assert len(receiver.requests) == 1 and WebhookSubscription.objects.get().failures == 1


def test_a_receiver_that_does_not_answer_in_time_fails_the_delivery(admin_user, reviewer, claims, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe(admin_user, receiver)
    receiver.delay = 1.0
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    deliver_due(worker="w1")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and delivery.error == "No answer within 0.3 s."
    assert delivery.duration_ms < 900


def test_a_receiver_that_is_down_is_a_failure_not_a_crash(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    receiver.close()
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    assert deliver_due(worker="w1") == 0
    assert "ConnectionRefusedError" in WebhookDelivery.objects.get().error


def test_a_subscription_leased_to_one_worker_is_not_delivered_by_another(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    assert _claim(subscribed.subscription.pk, "w1", timezone.now())
    assert deliver_due(worker="w2") == 0 and receiver.requests == []
    # Once the lease has run out (its worker died), another worker takes over.
    WebhookSubscription.objects.update(leased_until=timezone.now() - timedelta(seconds=1))
    assert deliver_due(worker="w2") == 1


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(admin_user, reviewer, claims, receiver, settings):
    """Each byte comes well within the socket's timeout, but the delivery's deadline holds: the
    worker moves on after it (the status line, a 200, had come: delivered)."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    subscribe(admin_user, receiver)
    receiver.default, receiver.drip = 200, 0.05  # a 200 with 1,000 bytes: 50 s
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
    assert deliver_due(worker="w1") == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == 200 and delivery.duration_ms < 1500


def test_a_worker_that_lost_its_lease_mid_batch_stops(admin_user, reviewer, claims, receiver):
    subscribe(admin_user, receiver)
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)

    def send_then_lose_the_lease(url, body, headers):
        WebhookSubscription.objects.update(leased_by="w2")  # its lease ran out; w2 took over
        return send(url, body, headers)

    assert deliver_due(worker="w1", sender=send_then_lose_the_lease) == 0
    assert len(receiver.requests) == 1  # not the rest of the batch beside w2
    assert WebhookSubscription.objects.get().position < Change.objects.order_by("id").first().id  # w2 redelivers


def test_a_replay_during_a_batch_is_not_overwritten(admin_user, reviewer, claims, receiver):
    subscribed = subscribe(admin_user, receiver)
    start = subscribed.subscription.position
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    first = Change.objects.order_by("id").first().id
    replayed = []

    def send_and_replay_once(url, body, headers):
        answer = send(url, body, headers)
        if not replayed:
            replayed.append(
                webhook_replay(actor=admin_user, subscription_id=subscribed.subscription.pk, after=str(start))
            )
        return answer

    deliver_due(worker="w1", sender=send_and_replay_once)
    ids = [int(r.headers["webhook-id"]) for r in receiver.requests]
    assert ids == [first, first, first + 1, first + 2]  # the replay began again at the first change


def test_an_error_of_ours_backs_one_subscription_off_and_the_others_go_on(admin_user, reviewer, claims, receiver):
    broken = subscribe(admin_user, receiver)
    subscribe(admin_user, receiver)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)

    def fail_for_the_first(url, body, headers):
        if (
            Webhook(broken.secret).sign(headers["webhook-id"], timezone.now(), body.decode())
            == headers["webhook-signature"]
        ):
            raise RuntimeError("a bug of ours")
        return send(url, body, headers)

    assert deliver_due(worker="w1", sender=fail_for_the_first) == 1
    stuck = WebhookSubscription.objects.get(pk=broken.subscription.pk)
    assert stuck.active and stuck.failures == 1 and stuck.next_attempt_at > timezone.now()


def test_a_subscription_another_worker_just_failed_is_not_claimed_before_its_retry(
    admin_user, reviewer, claims, receiver
):
    subscribed = subscribe(admin_user, receiver)
    WebhookSubscription.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert not _claim(subscribed.subscription.pk, "w2", timezone.now())
