"""What the desk reads of the webhooks: a subscription's latest delivery attempts.

One query whatever the number of attempts: the newest few by the (subscription, -id) index,
and one row more to know whether older ones exist (no COUNT of a long history).
"""

from dataclasses import dataclass

from annotations.models import WebhookDelivery

DELIVERIES_SHOWN = 50


@dataclass(frozen=True)
class RecentDeliveries:
    deliveries: list[WebhookDelivery]  # newest first
    more: bool  # True when older attempts exist beyond those shown


def recent_deliveries(subscription_id: int, *, limit: int = DELIVERIES_SHOWN) -> RecentDeliveries:
    rows = list(WebhookDelivery.objects.filter(subscription_id=subscription_id).order_by("-id")[: limit + 1])
    return RecentDeliveries(deliveries=rows[:limit], more=len(rows) > limit)
