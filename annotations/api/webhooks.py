"""/api/webhooks/: admins subscribe URLs to the change feed (API.md, "Webhooks")."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from annotations.domain.roles import Role
from annotations.models import WebhookSubscription
from annotations.services.webhooks import webhook_delete, webhook_replay, webhook_subscribe, webhook_update

from .permissions import RolePermission
from .schema import ERRORS, GONE, NOT_FOUND
from .serializers.webhooks import (
    NewWebhookSerializer,
    ReplayInput,
    WebhookDeliverySerializer,
    WebhookInput,
    WebhookSerializer,
    WebhookUpdateInput,
)

_ACTIONS = ("list", "retrieve", "create", "partial_update", "destroy", "deliveries", "replay")


@extend_schema_view(
    list=extend_schema(
        summary="Webhook subscriptions (admins)", responses={200: WebhookSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(summary="One subscription", responses={200: WebhookSerializer, **ERRORS, **NOT_FOUND}),
    create=extend_schema(
        summary="Subscribe a URL to the change feed, from now on (the secret is shown once)",
        request=WebhookInput,
        responses={201: NewWebhookSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary='Change a subscription; {"active": true} resumes a paused one',
        request=WebhookUpdateInput,
        responses={200: WebhookSerializer, **ERRORS, **NOT_FOUND},
    ),
    destroy=extend_schema(summary="Unsubscribe", responses={204: None, **ERRORS, **NOT_FOUND}),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = dict.fromkeys(_ACTIONS, Role.ADMIN)
    serializer_class = WebhookSerializer
    queryset = WebhookSubscription.objects.select_related("created_by").order_by("id")

    def create(self, request):
        data = _valid(WebhookInput, request.data)
        subscribed = webhook_subscribe(actor=request.user, **data)
        body = NewWebhookSerializer(subscribed.subscription).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        subscription = self.get_object()
        data = _valid(WebhookUpdateInput, request.data)
        subscription = webhook_update(actor=request.user, subscription_id=subscription.pk, **data)
        return Response(WebhookSerializer(subscription).data)

    def destroy(self, request, pk=None):
        webhook_delete(actor=request.user, subscription_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Each delivery attempt, newest first: the change's cursor, time, HTTP status or error, duration",
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(self.get_object().deliveries.order_by("-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Deliver every change after a cursor again",
        request=ReplayInput,
        responses={200: WebhookSerializer, **ERRORS, **NOT_FOUND, **GONE},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        data = _valid(ReplayInput, request.data)
        subscription = webhook_replay(actor=request.user, subscription_id=self.get_object().pk, after=data["after"])
        return Response(WebhookSerializer(subscription).data)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
