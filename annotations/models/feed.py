"""The change feed and the webhooks that push it.

`Change` is append-only: the services write one row per change to the approved
set, in the transaction that makes it (services/feed.py says how its order is
kept). Rows name annotations and articles by id, not by foreign key, so that a
change outlives the annotation it tells of.
"""

from django.conf import settings
from django.db import models

from .choices import ChangeType, Kind, WithdrawalReason


class Change(models.Model):
    # The position in the feed (a cursor names it): ids are given in commit order.
    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=32, choices=ChangeType.choices)
    at = models.DateTimeField()
    annotation_id = models.BigIntegerField()
    article_id = models.BigIntegerField()
    revision = models.PositiveIntegerField(null=True, help_text="The article revision the record's offsets point into.")
    # The feed's filters, as they were when the change was made (the annotation may be gone).
    kind = models.CharField(max_length=32, choices=Kind.choices)
    source = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=35, blank=True, default="")
    # The export record (the JSONL export's line) for approved and updated; null for withdrawn.
    record = models.JSONField(null=True)
    reason = models.CharField(max_length=16, choices=WithdrawalReason.choices, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["article_id", "id"], name="change_article_position"),
            models.Index(fields=["at"], name="change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.id}: {self.type} of annotation {self.annotation_id}"


class FeedHorizon(models.Model):
    """One row: the last position pruned away. An `after` older than it is 410 (export again)."""

    pruned_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"pruned through {self.pruned_through}"


class WebhookSubscription(models.Model):
    url = models.URLField(max_length=2000)
    types = models.JSONField(default=list, help_text="Change types delivered; empty: all.")
    filters = models.JSONField(default=dict, help_text="The feed's filters: article, kind, source, language.")
    description = models.CharField(max_length=500, blank=True, default="")
    # Standard Webhooks' "whsec_" + base64 of the key. Shown once, when created.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=500, blank=True, default="")
    # The position of the last change delivered (or skipped by a replay): delivery resumes after it.
    position = models.BigIntegerField(default=0)
    # Failures in a row of the change at the head, since when, and when to try it again.
    failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim, so that two workers never deliver for one subscription at once.
    leased_by = models.CharField(max_length=100, blank=True, default="")
    leased_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One attempt to deliver one change to one subscription."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    change_id = models.BigIntegerField(help_text="The change's position (its cursor).")
    attempt = models.PositiveIntegerField(help_text="1 for the first try of this change, then 2, ...")
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "-id"], name="delivery_subscription_recent")]

    def __str__(self) -> str:
        return f"change {self.change_id}, attempt {self.attempt}: {self.status_code or self.error}"

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
