"""The desk's webhooks, for admins only: the subscriptions, adding one (its secret shown once, on
the page after), a subscription's page with its latest delivery attempts, pause, resume and replay
from a cursor, changing and deleting it.

Every write is a call to services/webhooks.py, which checks the URL (where its host resolves too),
the types and the filters; its refusals are shown on the form that asked.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.feed import cursor_of
from annotations.domain.roles import Role
from annotations.models import ChangeType, Kind, WebhookDelivery, WebhookSubscription
from annotations.selectors.users import user_role
from annotations.selectors.webhooks import DELIVERIES_SHOWN, recent_deliveries
from annotations.services.webhooks import (
    FEED_FILTERS,
    webhook_delete,
    webhook_replay,
    webhook_subscribe,
    webhook_update,
)

from .forms import ServiceSavedForm, submitted

# The session's note of the webhook just added: the page after "Save" shows its secret, once.
JUST_ADDED = "webhook_just_added"
CHANGE_URL = "admin:annotations_webhooksubscription_change"
PAUSED = "Paused: nothing is delivered until it is resumed, and then it goes on where it stopped."
RESUMED = "Resumed: the change it stopped at is tried again at once."


def _values(text: str) -> list[str]:
    return [value.strip() for value in text.split(",") if value.strip()]


class WebhookForm(ServiceSavedForm):
    """A subscription's URL, description, change types and feed filters, stored by webhook_subscribe
    or webhook_update (only the fields changed)."""

    url = forms.CharField(
        label="URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"class": "vURLField", "placeholder": "https://", "autocomplete": "off"}),
        help_text="Each change is POSTed here, signed as Standard Webhooks says. A host on the service's "
        "own network (loopback, private, link-local) is refused unless the server allows it.",
    )
    types = forms.MultipleChoiceField(
        label="Change types",
        choices=[(value, value) for value in ChangeType.values],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every type.",
    )
    article = forms.CharField(
        required=False, label="Articles", help_text="Article ids, separated by commas. Empty: every article."
    )
    kind = forms.MultipleChoiceField(
        label="Kinds",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every kind.",
    )
    source = forms.CharField(
        required=False, label="Sources", help_text="The articles' sources, separated by commas. Empty: every source."
    )
    language = forms.CharField(
        required=False, label="Languages", help_text="Language tags (en, ja), separated by commas. Empty: all."
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "description", "types"]
        widgets = {"description": forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.filters or {}
        for name in FEED_FILTERS:
            values = stored.get(name, [])
            if name not in self.initial:
                self.initial[name] = values if name == "kind" else ", ".join(str(value) for value in values)

    def _run_model_field_validators(self) -> None:
        """None: the service checks the URL, where it will call it. Django's URLValidator would also
        refuse a host name without a dot, which the service accepts (a receiver on a private network)."""

    def filters(self, data: dict) -> dict[str, list]:
        given = {
            "article": [int(v) if v.isdigit() else v for v in _values(data["article"])],
            "kind": data["kind"],
            "source": _values(data["source"]),
            "language": _values(data["language"]),
        }
        return {name: values for name, values in given.items() if values}

    def call_service(self, data: dict) -> WebhookSubscription:
        fields = {
            "url": data["url"],
            "types": data["types"],
            "filters": self.filters(data),
            "description": data["description"],
        }
        if self.instance.pk is None:
            return webhook_subscribe(actor=self.actor, **fields).subscription
        changes = {name: value for name, value in fields.items() if name in self.changed_data}
        if set(FEED_FILTERS) & set(self.changed_data):
            changes["filters"] = fields["filters"]
        if not changes:
            return self.instance
        return webhook_update(actor=self.actor, subscription_id=self.instance.pk, **changes)


class ReplayForm(forms.Form):
    after = forms.CharField(
        label="After cursor",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 12}),
        help_text="Every change after this cursor is delivered again, in order: a cursor of the attempts above, "
        "or of the change feed (one older than the changes kept is refused).",
    )


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookForm
    # The state second: on a phone the table scrolls sideways, and paused or not is what matters first.
    list_display = ["receiver", "state", "description", "types_shown", "cursor", "failures", "next_attempt_at"]
    list_display_links = ["receiver"]
    ordering = ["id"]
    fieldsets = [
        ("Receiver", {"fields": ["url", "description"]}),
        ("Changes delivered", {"fields": ["types", "article", "kind", "source", "language"]}),
    ]
    change_form_template = "admin/annotations/webhooksubscription/change_form.html"

    class Media:
        css = {"all": ["annotations/desk.css", "annotations/webhooks.css"]}

    # -- admins only: the services' rule, said here so that the desk hides what they would refuse

    def _manages(self, request: HttpRequest) -> bool:
        return user_role(request.user) >= Role.ADMIN

    def has_module_permission(self, request):
        return self._manages(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request)

    def has_add_permission(self, request):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request)

    def get_actions(self, request):
        # Bulk delete would skip webhook_delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")  # the page names who added it

    # -- the list

    @admin.display(description="URL", ordering="url")
    def receiver(self, subscription: WebhookSubscription) -> str:
        return format_html('<span class="desk-webhook-url">{}</span>', subscription.url)

    @admin.display(description="types")
    def types_shown(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.types) or "all"

    @admin.display(description="state", ordering="active")
    def state(self, subscription: WebhookSubscription) -> str:
        if subscription.active:
            return mark_safe('<span class="desk-status desk-webhook-active">Active</span>')
        return format_html(
            '<span class="desk-status desk-webhook-paused">Paused</span><div class="desk-webhook-reason">{}</div>',
            subscription.paused_reason,
        )

    @admin.display(description="cursor", ordering="position")
    def cursor(self, subscription: WebhookSubscription) -> str:
        return cursor_of(subscription.position)

    # -- adding, changing, deleting: through the form's service call

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a fresh class per request, so this is not shared
        return form

    def save_model(self, request, obj, form, change):
        """Nothing to do: the form's service call stored it."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        if obj is not None:
            context["webhook"] = self._page_context(obj, ReplayForm())
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _page_context(self, subscription: WebhookSubscription, replay_form: ReplayForm) -> dict:
        recent = recent_deliveries(subscription.pk)
        return {
            "cursor": cursor_of(subscription.position),
            "deliveries": [{"d": d, "cursor": cursor_of(d.change_id)} for d in recent.deliveries],
            "more_deliveries": recent.more,
            "shown": DELIVERIES_SHOWN,
            "api_deliveries": reverse("webhook-deliveries", args=[subscription.pk]),
            "replay_form": replay_form,
            "replay_url": reverse("admin:annotations_webhooksubscription_replay", args=[subscription.pk]),
            "pause_url": reverse("admin:annotations_webhooksubscription_pause", args=[subscription.pk]),
            "resume_url": reverse("admin:annotations_webhooksubscription_resume", args=[subscription.pk]),
        }

    def response_add(self, request, obj, post_url_continue=None):
        request.session[JUST_ADDED] = obj.pk
        return redirect("admin:annotations_webhooksubscription_secret", obj.pk)

    def response_change(self, request, obj):
        self.message_user(request, f"Saved the webhook to {obj.url}.", messages.SUCCESS)
        return redirect(CHANGE_URL, obj.pk)

    def delete_model(self, request, obj):
        webhook_delete(actor=request.user, subscription_id=obj.pk)

    def get_deleted_objects(self, objs, request):
        """The subscription and how many delivery attempts go with it (Django would list each one)."""
        subscriptions = list(objs)
        listed = [
            format_html('Webhook: <a href="{}">{}</a>', reverse(CHANGE_URL, args=[s.pk]), s.url) for s in subscriptions
        ]
        attempts = WebhookDelivery.objects.filter(subscription__in=subscriptions).count()
        counts = {"webhook subscriptions": len(subscriptions), "delivery attempts": attempts}
        return listed, counts, set(), []

    def history_view(self, request, object_id, extra_context=None):
        """One page: Django's log misses what the API and the worker did (paused, replayed, delivered)."""
        return redirect(CHANGE_URL, object_id)

    # -- the subscription's own screens

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/secret/", view(self.secret_view), name="annotations_webhooksubscription_secret"),
            path("<path:object_id>/pause/", view(self.pause_view), name="annotations_webhooksubscription_pause"),
            path("<path:object_id>/resume/", view(self.resume_view), name="annotations_webhooksubscription_resume"),
            path("<path:object_id>/replay/", view(self.replay_view), name="annotations_webhooksubscription_replay"),
            *super().get_urls(),
        ]

    def _subscription(self, request: HttpRequest, object_id: str) -> WebhookSubscription | None:
        if not self._manages(request):
            raise PermissionDenied
        return self.get_object(request, unquote(object_id))

    def _page(self, request, subscription, title: str, template: str, status: int = 200, **context) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": subscription,
            "change_url": reverse(CHANGE_URL, args=[subscription.pk]),
            **context,
        }
        return TemplateResponse(request, f"admin/annotations/webhooksubscription/{template}", context, status=status)

    def secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The page after adding: the new subscription's secret, this once (admin_view's never_cache
        keeps it out of the browser's cache); on a later visit, only that it was shown."""
        if (subscription := self._subscription(request, object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        first_visit = request.session.get(JUST_ADDED) == subscription.pk
        if first_visit:
            del request.session[JUST_ADDED]
        secret = subscription.secret if first_visit else None
        return self._page(request, subscription, "Webhook subscription added", "secret.html", secret=secret)

    @method_decorator(require_POST)
    def pause_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._switch(request, object_id, active=False)

    @method_decorator(require_POST)
    def resume_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._switch(request, object_id, active=True)

    def _switch(self, request: HttpRequest, object_id: str, *, active: bool) -> HttpResponse:
        if (subscription := self._subscription(request, object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        try:
            webhook_update(actor=request.user, subscription_id=subscription.pk, active=active)
        except DomainError as exc:
            self.message_user(request, f"Not {'resumed' if active else 'paused'}: {exc.message}", messages.ERROR)
        else:
            self.message_user(request, RESUMED if active else PAUSED, messages.SUCCESS)
        return redirect(CHANGE_URL, subscription.pk)

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Deliver again every change after a cursor (webhook_replay); a refusal (a cursor that is
        not one, or no longer kept) is shown on the form, on a page of its own."""
        if (subscription := self._subscription(request, object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        status = 200
        form = ReplayForm()
        if request.method == "POST":
            form = ReplayForm(request.POST)
            replayed, status = submitted(form, webhook_replay, actor=request.user, subscription_id=subscription.pk)
            if replayed is not None:
                was_paused = not subscription.active
                message = f"Replaying every change after cursor {form.cleaned_data['after']}."
                if was_paused:
                    message += " It was paused: a replay resumes it."
                self.message_user(request, message, messages.SUCCESS)
                return redirect(CHANGE_URL, subscription.pk)
        return self._page(
            request,
            subscription,
            "Replay from a cursor",
            "replay.html",
            status=status,
            form=form,
            cursor=cursor_of(subscription.position),
            replay_url=request.path,
        )
