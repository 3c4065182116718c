"""The API's webhook representations and inputs (the services check what the inputs mean)."""

from rest_framework import serializers

from annotations.domain.feed import cursor_of
from annotations.models import ChangeType, WebhookDelivery, WebhookSubscription


class WebhookSerializer(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField(help_text="The position of the last change delivered.")
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=ChangeType.choices), help_text="Change types delivered; empty: all."
    )
    filters = serializers.DictField(help_text="The feed's filters: article, kind, source, language (a value or list).")

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "types",
            "filters",
            "description",
            "active",
            "paused_reason",
            "cursor",
            "failures",
            "next_attempt_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_cursor(self, subscription) -> str:
        return cursor_of(subscription.position)


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="Shown once: keep it to verify the signatures (Standard Webhooks).")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    filters = serializers.DictField(required=False, default=dict)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WebhookUpdateInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    types = serializers.ListField(child=serializers.CharField(), required=False)
    filters = serializers.DictField(required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="true resumes a paused subscription.")


class ReplayInput(serializers.Serializer):
    after = serializers.CharField(help_text="Deliver every change after this cursor again.")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField(help_text="The change's cursor (its deliveries' webhook-id).")
    delivered = serializers.BooleanField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "cursor", "attempt", "at", "status_code", "error", "duration_ms", "delivered"]
        read_only_fields = fields

    def get_cursor(self, delivery) -> str:
        return cursor_of(delivery.change_id)
