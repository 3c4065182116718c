"""Webhook subscriptions (admins) and their delivery: each pushes the change feed to a URL.

Delivery (`deliver_due`, run by the deliver_webhooks worker): per subscription, the
changes after its stored position, in feed order, one at a time; a 2xx answer moves
the position past the change, anything else schedules a retry of the same change
(exponential backoff with jitter, domain/feed.py) and, after WEBHOOK_RETRY_HOURS of
failing, pauses the subscription with the reason. At least once: the position is
stored only after the receiver said yes, so a worker stopped at any point resumes
at the first change not known to be delivered. The database is the queue (the feed
is already durable and ordered): a worker claims a subscription with a lease (one
conditional UPDATE, on every database), so two workers never deliver for one
subscription at once, and a dead worker's lease runs out.
"""

import base64
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from annotations.domain.errors import Gone, InvalidInput, Missing, invalid
from annotations.domain.feed import ChangeType, cursor_of, retry_delay
from annotations.domain.roles import Role
from annotations.filters import ChangeFilter
from annotations.models import Article, Change, WebhookDelivery, WebhookSubscription
from annotations.selectors.feed import (
    change_payload,
    changes_after,
    check_cursor,
    feed_head,
    filtered_changes,
    parse_after,
)
from annotations.services.outbound import Answer, UnsafeUrl, check_url, post
from annotations.services.users import require_role

FEED_FILTERS = tuple(ChangeFilter.base_filters)  # article, kind, source, language
BATCH = 100  # changes read from the feed at a time for one subscription
USER_AGENT = "Copydesk-Webhooks/1"

logger = logging.getLogger("annotations.webhooks")


# --- subscriptions ------------------------------------------------------------------------


def _new_secret() -> str:
    """Standard Webhooks' secret: "whsec_" and the base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _checked_url(url: str) -> str:
    try:
        check_url(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS)
    except UnsafeUrl as exc:
        raise invalid("url", str(exc)) from None
    return url


def _checked_types(types) -> list[str]:
    if isinstance(types, tuple):
        types = list(types)
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise invalid("types", "A list of change types.")
    unknown = sorted(set(types) - {t.value for t in ChangeType})
    if unknown:
        known = ", ".join(t.value for t in ChangeType)
        raise invalid("types", f"Unknown change types: {', '.join(unknown)} (known: {known}).")
    return sorted(set(types), key=[t.value for t in ChangeType].index)


def _checked_filters(filters) -> dict[str, list]:
    if not isinstance(filters, dict):
        raise invalid("filters", "An object of the feed's filters: article, kind, source, language.")
    unknown = sorted(set(filters) - set(FEED_FILTERS))
    if unknown:
        raise invalid("filters", f"Unknown filters: {', '.join(unknown)} (known: {', '.join(FEED_FILTERS)}).")
    values = {name: value if isinstance(value, list) else [value] for name, value in filters.items()}
    if any(not isinstance(v, str | int) or isinstance(v, bool) for vs in values.values() for v in vs):
        raise invalid("filters", "Each filter is a value or a list of values (strings or ids).")
    try:
        filtered_changes(values)
    except InvalidInput as exc:
        raise InvalidInput({"filters": [f"{name}: {' '.join(m)}" for name, m in exc.errors.items()]}) from None
    # Articles named must exist when subscribing (a typo would match nothing, silently); the feed
    # itself does not check them, since a change outlives its article.
    named = {int(v) for v in values.get("article", [])}
    if missing := named - set(Article.objects.filter(pk__in=named).values_list("pk", flat=True)):
        raise invalid("filters", f"article: no article with the id {', '.join(map(str, sorted(missing)))}.")
    return {name: vs for name, vs in values.items() if vs}


@dataclass(frozen=True)
class Subscribed:
    subscription: WebhookSubscription
    secret: str  # shown once


def _checked_description(description) -> str:
    if not isinstance(description, str) or len(description) > 500 or "\x00" in description:
        raise invalid("description", "Text of at most 500 characters (no null characters).")
    return description


_CHECKS = {
    "url": _checked_url,
    "types": _checked_types,
    "filters": _checked_filters,
    "description": _checked_description,
}


def _checked(fields: dict) -> dict:
    """Each field checked, every refusal reported at once (InvalidInput naming each field)."""
    checked, errors = {}, {}
    for name, value in fields.items():
        try:
            checked[name] = _CHECKS[name](value)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return checked


def webhook_subscribe(*, actor, url: str, types=(), filters=None, description: str = "") -> Subscribed:
    """A new subscription, delivering the changes made from now on."""
    require_role(actor, Role.ADMIN, "manage webhooks")
    fields = _checked({"url": url, "types": types, "filters": filters or {}, "description": description})
    subscription = WebhookSubscription(**fields, secret=_new_secret(), created_by=actor, position=feed_head())
    subscription.save()
    return Subscribed(subscription, subscription.secret)


def webhook_update(*, actor, subscription_id: int, **changes) -> WebhookSubscription:
    """Change a subscription's URL, types, filters, description or `active`. Setting `active`
    to true resumes a paused subscription: the change it stopped at is tried again at once."""
    require_role(actor, Role.ADMIN, "manage webhooks")
    active = changes.pop("active", None)
    fields = _checked(changes)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if fields.get("url", subscription.url) != subscription.url:
            subscription.next_attempt_at = None  # a URL put right is tried at once, not after the backoff
        for name, value in fields.items():
            setattr(subscription, name, value)
        if active is not None:
            _set_active(subscription, bool(active))
        subscription.save()
    return subscription


# A subscription with nothing failing: what a delivery, a resume and a replay each leave.
NOT_FAILING = {"failures": 0, "failing_since": None, "next_attempt_at": None}


def _set_active(subscription: WebhookSubscription, active: bool) -> None:
    if active and not subscription.active:
        for name, value in NOT_FAILING.items():
            setattr(subscription, name, value)
        subscription.paused_reason = ""
    elif not active and subscription.active:
        subscription.paused_reason = "Paused by an admin."
    subscription.active = active


def webhook_delete(*, actor, subscription_id: int) -> None:
    require_role(actor, Role.ADMIN, "manage webhooks")
    with transaction.atomic():
        _locked(subscription_id).delete()


def webhook_replay(*, actor, subscription_id: int, after: str) -> WebhookSubscription:
    """Deliver again every change after the cursor `after` (its deliveries' webhook-id repeat,
    so that a receiver can tell), resuming the subscription if it was paused; a cursor older
    than the changes kept is 410."""
    require_role(actor, Role.ADMIN, "manage webhooks")
    position = parse_after(after)
    if position is None:
        raise invalid("after", "This field is required.")
    check_cursor(position)  # Gone (410) if not kept, or ahead
    with transaction.atomic():
        subscription = _locked(subscription_id)
        subscription.position = position
        for name, value in NOT_FAILING.items():
            setattr(subscription, name, value)
        _set_active(subscription, True)
        subscription.save()
    return subscription


def _locked(subscription_id: int) -> WebhookSubscription:
    try:
        return WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    except WebhookSubscription.DoesNotExist:
        raise Missing("No webhook with this id.") from None


# --- delivery -------------------------------------------------------------------------------


def signed_request(subscription: WebhookSubscription, change: Change, *, now: datetime) -> tuple[bytes, dict]:
    """The body and headers of one delivery, signed as Standard Webhooks says: the id is the
    change's cursor (the same on every retry), the signature covers id, time and body."""
    text = json.dumps(change_payload(change), ensure_ascii=False, separators=(",", ":"))
    cursor = cursor_of(change.id)
    signature = Webhook(subscription.secret).sign(msg_id=cursor, timestamp=now, data=text)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": cursor,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return text.encode(), headers


Sender = Callable[[str, bytes, dict], Answer]


def send(url: str, body: bytes, headers: dict) -> Answer:
    return post(
        url,
        body,
        headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS,
    )


def lease_length() -> timedelta:
    """Longer than one delivery can take (its deadline), with room for the database writes."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 30)


def _due(now: datetime) -> Q:
    return Q(active=True) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(subscription_id: int, worker: str, now: datetime) -> bool:
    """Take the subscription for `worker` if it is still due (another worker may have just
    failed it: its backoff holds) and no other worker's lease is running."""
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now) | Q(leased_by=worker)
    claimed = WebhookSubscription.objects.filter(_due(now), free, pk=subscription_id).update(
        leased_by=worker, leased_until=now + lease_length()
    )
    return claimed == 1


def _release(subscription_id: int, worker: str) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id, leased_by=worker).update(leased_by="", leased_until=None)


def _held(subscription: WebhookSubscription, worker: str) -> QuerySet[WebhookSubscription]:
    """The subscription's row while `worker` holds it as it read it: not taken over, paused,
    edited or replayed since (each of those saves the row: a new updated_at; the worker's own
    writes are UPDATEs, which leave updated_at alone). A write through this that matches no
    row tells the worker to stop and read the subscription again."""
    return WebhookSubscription.objects.filter(
        pk=subscription.pk, leased_by=worker, active=True, updated_at=subscription.updated_at
    )


def due_subscriptions(now: datetime) -> list[int]:
    return list(WebhookSubscription.objects.filter(_due(now)).order_by("id").values_list("id", flat=True))


def next_retry_at() -> datetime | None:
    """When the earliest scheduled retry is due (a worker need not wake before it, or a change)."""
    return (
        WebhookSubscription.objects.filter(active=True, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def deliver_due(*, worker: str, sender: Sender = send, should_stop: Callable[[], bool] = lambda: False) -> int:
    """One round: every due subscription that no other worker holds, delivered up to its feed's
    head (or its first failure). Returns how many changes were delivered. A subscription that
    fails for a reason of ours (not the receiver's) is logged and retried later like a failed
    delivery, so that one cannot stop the others."""
    delivered = 0
    for subscription_id in due_subscriptions(timezone.now()):
        if should_stop():
            break
        if not _claim(subscription_id, worker, timezone.now()):
            continue
        try:
            delivered += _deliver_subscription(subscription_id, worker, sender, should_stop)
        except DatabaseError:
            raise  # the worker waits for the database and starts the round again
        except Exception:
            logger.exception("Delivering webhook %s failed", subscription_id)
            _back_off(subscription_id, worker)
        finally:
            _release(subscription_id, worker)
    return delivered


def _deliver_subscription(subscription_id: int, worker: str, sender: Sender, should_stop) -> int:
    delivered = 0
    while not should_stop():
        # Read again after each page, and whenever a write found the row changed under us.
        subscription = WebhookSubscription.objects.filter(pk=subscription_id, leased_by=worker, active=True).first()
        if subscription is None:  # paused, deleted, or our lease taken over
            return delivered
        try:
            page = changes_after(
                after=subscription.position, limit=BATCH, filters=subscription.filters, types=subscription.types
            )
        except Gone as exc:
            _pause(subscription, worker, f"{exc.message} Replay from a cursor that is kept, which resumes it.")
            return delivered
        outcome = _Outcome.DELIVERED
        for change in page.changes:
            if should_stop():
                return delivered
            outcome = _deliver_one(subscription, change, worker, sender)
            if outcome is not _Outcome.DELIVERED:
                break
            delivered += 1
        if outcome is _Outcome.FAILED:
            return delivered
        if outcome is _Outcome.DELIVERED and not page.has_more:
            # Past the changes the filters left out too, so that they are not read again.
            _advance(subscription, worker, int(page.next))
            return delivered
    return delivered


class _Outcome(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"  # retried later
    STALE = "stale"  # the subscription changed meanwhile: read it again


def _deliver_one(subscription: WebhookSubscription, change: Change, worker: str, sender: Sender) -> _Outcome:
    now = timezone.now()
    # Renew the lease before each attempt (it outlasts one delivery's deadline); stop if the
    # subscription is no longer ours as we read it.
    if not _held(subscription, worker).update(leased_until=now + lease_length()):
        return _Outcome.STALE
    body, headers = signed_request(subscription, change, now=now)
    answer = sender(subscription.url, body, headers)
    attempt = subscription.failures + 1
    WebhookDelivery.objects.create(
        subscription=subscription,
        change_id=change.id,
        attempt=attempt,
        at=now,
        status_code=answer.status,
        error=answer.error,
        duration_ms=answer.duration_ms,
    )
    if answer.status is not None and 200 <= answer.status < 300:
        return _Outcome.DELIVERED if _advance(subscription, worker, change.id) else _Outcome.STALE
    _failed(subscription, worker, attempt)
    return _Outcome.FAILED


def _advance(subscription: WebhookSubscription, worker: str, position: int) -> bool:
    """Store the position reached, failures cleared; False if the subscription changed meanwhile
    (a replay's position, say, is not overwritten: what was just delivered comes again)."""
    if position <= subscription.position:
        return True
    if not _held(subscription, worker).update(position=position, **NOT_FAILING):
        return False
    subscription.position, subscription.failures, subscription.failing_since = position, 0, None
    return True


def _failed(subscription: WebhookSubscription, worker: str, failures: int) -> None:
    now = timezone.now()
    failing_since = subscription.failing_since or now
    horizon = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    if now - failing_since >= horizon:
        reason = (
            f"Paused after {failures} failed attempts over {_hours(now - failing_since)} "
            f"(the retry horizon is {_hours(horizon)}); resume it to try again."
        )
        _pause(subscription, worker, reason)
        return
    _held(subscription, worker).update(
        failures=failures, failing_since=failing_since, next_attempt_at=now + retry_delay(failures)
    )


def _pause(subscription: WebhookSubscription, worker: str, reason: str) -> None:
    _held(subscription, worker).update(active=False, paused_reason=reason[:500], next_attempt_at=None)


def _back_off(subscription_id: int, worker: str) -> None:
    """After an error of ours: try the subscription again later, as after a failed delivery."""
    subscription = WebhookSubscription.objects.filter(pk=subscription_id, leased_by=worker).first()
    if subscription is not None:
        _failed(subscription, worker, subscription.failures + 1)


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours >= 1 else f"{span.total_seconds():.0f} s"
