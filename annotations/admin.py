"""The reviewers' desk: the admin site for annotators and reviewers.

Thin by design: every write goes through `services.py` with the logged-in user
as the actor, so the admin follows the same rules as the API (roles, four
eyes, the status machine, the history). Domain errors become form errors or
messages, never a 500. Status and review fields are never editable here.
"""

from collections import defaultdict
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, smart_split, unescape_string_literal
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import DomainError, InvalidInput
from .filters import AnnotationFilter
from .highlight import highlight_body
from .models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArtifactType,
    DeletedAnnotation,
    EntityType,
    Kind,
    Status,
)
from .pagination import IdsFirstPaginator
from .roles import Role, user_role

# --- forms: the services are the validation ---------------------------------------


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form: field messages beside their fields, the rest on top."""
    if isinstance(exc, InvalidInput):
        for field, field_messages in exc.errors.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, exc.message)


class ServiceSavedForm(forms.ModelForm):
    """A ModelForm validated and stored by a service call.

    The service replaces Django's model validation (`_post_clean`, the hook
    Django's own UserCreationForm extends): it checks what the API checks, and
    its domain errors become form errors. A valid form's object is therefore
    stored already, and `save()` only hands it back.
    """

    actor = None  # the request's user; ModelAdmin.get_form sets it on the per-request form class

    def call_service(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.instance = self.call_service(self.cleaned_data)
        except DomainError as exc:
            add_domain_error(self, exc)

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        """No many-to-many fields: nothing to do."""


class ArticleCreateForm(ServiceSavedForm):
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "body", "source", "url", "language", "published_at"]

    def call_service(self, data: dict) -> Article:
        return services.article_create(**data)


class AnnotationAdminForm(ServiceSavedForm):
    start = forms.IntegerField(min_value=0, required=False, help_text="Code point offset, inclusive.")
    end = forms.IntegerField(min_value=0, required=False, help_text="Code point offset, exclusive.")
    quote = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Instead of offsets: the text to find in the body (with start if it occurs more than once).",
    )

    class Meta:
        model = Annotation
        fields = [
            "article",
            "kind",
            "start",
            "end",
            "quote",
            "entity_type",
            "artifact_type",
            "suggested_correction",
            "claimant",
            "note",
        ]
        widgets = {
            "suggested_correction": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_quote(self) -> str | None:
        return self.cleaned_data["quote"] or None  # blank means "not given", not an empty quote

    def call_service(self, data: dict) -> Annotation:
        if self.instance.pk is None:
            return services.annotation_create(actor=self.actor, **data)
        changes = {field: data[field] for field in self.changed_data if field in services.EDITABLE_FIELDS}
        if not changes:
            return self.instance  # an edit is a new version to review; saving nothing is not one
        return services.annotation_update(actor=self.actor, annotation_id=self.instance.pk, **changes)


class DeskAnnotationForm(forms.Form):
    """What the desk's selection popup posts: a span of the article and the annotation's kind and type."""

    kind = forms.ChoiceField(choices=Kind.choices)
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    # The selected text too, so that the service checks the page's offsets against the stored body.
    quote = forms.CharField(strip=False)
    entity_type = forms.ChoiceField(choices=[("", "—"), *EntityType.choices], required=False)
    artifact_type = forms.ChoiceField(choices=[("", "—"), *ArtifactType.choices], required=False)
    suggested_correction = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    claimant = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": "who makes the claim", "autocomplete": "off"})
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


ReviewService = Callable[..., Annotation]
# Each review the desk offers: the service that does it, and what the desk says once it is done.
REVIEWS: dict[str, tuple[ReviewService, str]] = {
    "approve": (services.annotation_approve, "Approved"),
    "reject": (services.annotation_reject, "Rejected"),
    "reopen": (services.annotation_reopen, "Reopened"),
}


class ReviewForm(forms.Form):
    """One review from an annotation's own page; the services decide whether it may happen."""

    decision = forms.ChoiceField(choices=[(name, name.capitalize()) for name in REVIEWS])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class RejectForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Why the annotations are rejected; their authors see it.",
    )


# --- articles: the desk --------------------------------------------------------------


def _article_values(column: str) -> list[tuple[str, str]]:
    """The distinct values of an article column, from the articles alone, as filter choices."""
    values = Article.objects.exclude(**{column: ""}).order_by(column).values_list(column, flat=True).distinct()
    return [(value, value) for value in values]


class ArticleColumnFilter(admin.SimpleListFilter):
    """Articles by the value of one column. Django's own filter would read the choices from the
    list's queryset, which joins every annotation for the count columns (113 ms each at a million)."""

    def lookups(self, request, model_admin):
        return _article_values(self.parameter_name)

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class ArticleSourceFilter(ArticleColumnFilter):
    title, parameter_name = "source", "source"


class ArticleLanguageFilter(ArticleColumnFilter):
    title, parameter_name = "language", "language"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "language", "published_at", "pending", "approved", "rejected"]
    list_filter = [ArticleSourceFilter, ArticleLanguageFilter]
    paginator = IdsFirstPaginator  # each page counts the annotations of its own articles only
    search_fields = ["title", "source"]
    ordering = ["-id"]
    change_form_template = "admin/annotations/article/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    add_fieldsets = [(None, {"fields": ["title", "body", "source", "url", "language", "published_at"]})]
    # The body is on the desk, not in a field: once stored it never changes, or every offset would break.
    change_fieldsets = [
        (
            "Article details",
            {
                "classes": ["collapse"],
                "fields": [
                    "title",
                    ("source", "language"),
                    "url",
                    "published_at",
                    "imported_from",
                    "content_sha256",
                    "created_at",
                ],
            },
        )
    ]

    def get_queryset(self, request):
        return selectors.article_queryset(with_body=False)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["imported_from", "content_sha256", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not isinstance(form, ServiceSavedForm):  # a new article is stored by article_create already
            super().save_model(request, obj, form, change)

    @admin.display(description="pending", ordering="n_pending")
    def pending(self, article):
        return article.n_pending

    @admin.display(description="approved", ordering="n_approved")
    def approved(self, article):
        return article.n_approved

    @admin.display(description="rejected", ordering="n_rejected")
    def rejected(self, article):
        return article.n_rejected

    def get_urls(self):
        annotate = self.admin_site.admin_view(self.annotate_view)
        return [
            path("<path:object_id>/annotate/", annotate, name="annotations_article_annotate"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["desk"] = self._desk_context(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _desk_context(self, request: HttpRequest, article: Article) -> dict:
        annotations = list(
            selectors.annotations_visible_to(request.user).filter(article=article).order_by("start", "-end", "id")
        )
        return {
            "body": highlight_body(article.body, annotations),
            "annotations": annotations,
            "can_annotate": user_role(request.user) >= Role.ANNOTATOR,
            "form": DeskAnnotationForm(),
            "annotate_url": reverse("admin:annotations_article_annotate", args=[article.pk]),
            "add_by_offsets_url": reverse("admin:annotations_annotation_add") + f"?article={article.pk}",
            "review_url": reverse("admin:annotations_annotation_changelist") + f"?article__id__exact={article.pk}",
            "kinds": Kind.choices,
            "statuses": Status.choices,
        }

    @method_decorator(require_POST)
    def annotate_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """Create an annotation from the desk's selection popup, through annotation_create; answers JSON."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            return JsonResponse({"errors": {"__all__": ["No such article."]}}, status=404)
        form = DeskAnnotationForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                annotation = services.annotation_create(actor=request.user, article=article, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, f"Added {annotation} (#{annotation.pk}), pending review.")
                return JsonResponse({"id": annotation.pk}, status=201)
        errors = {field: [str(message) for message in field_errors] for field, field_errors in form.errors.items()}
        return JsonResponse({"errors": errors}, status=status)


# --- annotations: list filters shared with the API ------------------------------------


class SharedFilter(admin.SimpleListFilter):
    """A sidebar filter that applies the API's AnnotationFilter parameter of the same name,
    so that `?status=approved&source=Kyodo` means the same in the admin as in the API."""

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        filterset = AnnotationFilter({self.parameter_name: [self.value()]}, queryset=queryset)
        if not filterset.is_valid():
            raise IncorrectLookupParameters(filterset.errors)
        return filterset.qs


class StatusFilter(SharedFilter):
    title, parameter_name = "status", "status"

    def lookups(self, request, model_admin):
        return Status.choices


class KindFilter(SharedFilter):
    title, parameter_name = "kind", "kind"

    def lookups(self, request, model_admin):
        return Kind.choices


class EntityTypeFilter(SharedFilter):
    title, parameter_name = "entity type", "entity_type"

    def lookups(self, request, model_admin):
        return EntityType.choices


class ArtifactTypeFilter(SharedFilter):
    title, parameter_name = "artifact type", "artifact_type"

    def lookups(self, request, model_admin):
        return ArtifactType.choices


class SourceFilter(SharedFilter):
    title, parameter_name = "article source", "source"

    def lookups(self, request, model_admin):
        return _article_values("source")


class AuthorFilter(SharedFilter):
    title, parameter_name = "author", "created_by"

    def lookups(self, request, model_admin):
        # One index probe per user (EXISTS), not a join of every annotation made DISTINCT:
        # 130 ms per filter at a million annotations.
        wrote = Annotation.objects.filter(**{self.parameter_name: OuterRef("pk")})
        users = get_user_model().objects.filter(Exists(wrote)).order_by("username")
        return [(name, name) for name in users.values_list("username", flat=True)]


class ReviewerFilter(AuthorFilter):
    title, parameter_name = "reviewer", "reviewed_by"


# --- annotations -----------------------------------------------------------------------


class AnnotationHistoryInline(admin.TabularInline):
    """The annotation's history as the services wrote it, oldest first; read-only for everyone."""

    model = AnnotationEvent
    verbose_name, verbose_name_plural = "event", "history"
    # Users by name, not as links: the user admin is for admins only.
    fields = readonly_fields = ["at", "action", "actor_name", "from_status", "to_status", "comment"]
    ordering = ["at", "id"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="actor")
    def actor_name(self, event: AnnotationEvent) -> str:
        return event.actor.get_username()


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    form = AnnotationAdminForm
    list_display = ["short_quote", "kind", "type", "status_badge", "article_link", "author", "reviewer"]
    list_select_related = ["article", "created_by", "reviewed_by"]
    list_filter = [
        StatusFilter,
        KindFilter,
        EntityTypeFilter,
        ArtifactTypeFilter,
        SourceFilter,
        AuthorFilter,
        ReviewerFilter,
    ]
    search_fields = ["quote", "note", "article__title"]  # searched by get_search_results
    search_help_text = "Search the quote, the note and the article's title."
    ordering = ["-id"]
    list_per_page = 50
    show_full_result_count = False  # a second COUNT of every annotation on each filtered page (20 ms at a million)
    autocomplete_fields = ["article"]
    actions = ["approve_selected", "reject_selected", "reopen_selected"]
    inlines = [AnnotationHistoryInline]
    review_fields = ["status", "author", "created_at", "reviewer", "reviewed_at", "review_comment"]

    class Media:
        css = {"all": ["annotations/desk.css"]}

    def get_queryset(self, request):
        # The article's title and source are shown; its body (possibly long) is not.
        return selectors.annotations_visible_to(request.user).select_related("article").defer("article__body")

    def get_fieldsets(self, request, obj=None):
        span = ["article", "kind", "start", "end", "quote"]
        details = ["entity_type", "artifact_type", "suggested_correction", "claimant", "note"]
        fieldsets = [("Span", {"fields": span}), ("Type and notes", {"fields": details})]
        if obj is not None:
            fieldsets.append(("Review", {"fields": self.review_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Status and review fields change only through the review services; the quote is body[start:end].
        return [] if obj is None else ["article", "quote", *self.review_fields]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        """Every word (or "quoted phrase") in the quote, the note or the article's title, as
        Django's search, but with the matching titles looked up first: each part of the OR then
        has an index (trigram indexes on quote and note, (article, status)), where Django's
        join to the articles made PostgreSQL read every annotation (530 ms at a million)."""
        for term in smart_split(search_term):
            if term[0] in "\"'" and term[-1] == term[0]:
                term = unescape_string_literal(term)
            titled = list(Article.objects.filter(title__icontains=term).values_list("id", flat=True))
            queryset = queryset.filter(Q(quote__icontains=term) | Q(note__icontains=term) | Q(article_id__in=titled))
        return queryset, False

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [
            path("<path:object_id>/review/", review, name="annotations_annotation_review"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_review_permission(request):
            context["review"] = {
                "url": reverse("admin:annotations_annotation_review", args=[obj.pk]),
                "form": ReviewForm(),
                # Only what the status allows; four eyes is said rather than hidden.
                "decisions": ["reopen"] if obj.status != Status.PENDING else ["approve", "reject"],
                "own": obj.created_by_id == request.user.pk,
            }
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @method_decorator(require_POST)
    def review_view(self, request: HttpRequest, object_id: str):
        """Approve, reject or reopen one annotation from its page, through the review services."""
        annotation = self.get_object(request, unquote(object_id))
        if annotation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose approve, reject or reopen.", messages.ERROR)
        else:
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            review, done = REVIEWS[decision]
            try:
                review(actor=request.user, annotation_id=annotation.pk, comment=comment)
            except DomainError as exc:
                add_domain_error(form, exc)
                reasons = " ".join(message for errors in form.errors.values() for message in errors)
                self.message_user(request, f"Not {done.lower()}: {reasons}", messages.ERROR)
            else:
                self.log_change(request, annotation, done)
                self.message_user(request, f"{done} {_labels([annotation])}.", messages.SUCCESS)
        return redirect("admin:annotations_annotation_change", annotation.pk)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a fresh class per request, so this is not shared
        return form

    def save_model(self, request, obj, form, change):
        """Nothing to do: the form's service call stored it."""

    def delete_model(self, request, obj):
        services.annotation_delete(actor=request.user, annotation_id=obj.pk)

    def get_actions(self, request):
        # Bulk delete would skip the per-annotation rules of annotation_delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- permissions: the role rules of API.md, on top of the role's model permissions

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.edit_refusal(request.user, obj) is None

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or services.delete_refusal(request.user, obj) is None

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("annotations.review_annotation")

    # -- columns

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, annotation: Annotation) -> str:
        return Truncator(annotation.quote).chars(80)

    @admin.display(description="type")
    def type(self, annotation: Annotation) -> str:
        return annotation.get_entity_type_display() or annotation.get_artifact_type_display() or "—"

    @admin.display(description="status", ordering="status")
    def status_badge(self, annotation: Annotation) -> str:
        return format_html(
            '<span class="desk-status desk-status-{}">{}</span>', annotation.status, annotation.get_status_display()
        )

    @admin.display(description="author", ordering="created_by__username")
    def author(self, annotation: Annotation) -> str:
        return annotation.created_by.get_username()

    @admin.display(description="reviewer", ordering="reviewed_by__username")
    def reviewer(self, annotation: Annotation) -> str:
        return annotation.reviewed_by.get_username() if annotation.reviewed_by else "—"

    @admin.display(description="article", ordering="article__title")
    def article_link(self, annotation: Annotation) -> str:
        url = reverse("admin:annotations_article_change", args=[annotation.article_id]) + f"#mark-{annotation.pk}"
        return format_html('<a href="{}">{}</a>', url, Truncator(annotation.article.title).chars(60))

    # -- review actions: one service call per annotation, each with its own lock and history event

    @admin.action(description="Approve selected annotations", permissions=["review"])
    def approve_selected(self, request, queryset):
        self._review_each(request, queryset, *REVIEWS["approve"])

    @admin.action(description="Reject selected annotations…", permissions=["review"])
    def reject_selected(self, request, queryset):
        # The intermediate page posts back here with `confirm` and the comment.
        form = RejectForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._review_each(request, queryset, *REVIEWS["reject"], comment=comment)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject annotations",
            "opts": self.model._meta,
            "annotations": queryset.order_by("id"),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/annotations/annotation/reject_selected.html", context)

    @admin.action(description="Reopen selected annotations (back to pending)", permissions=["review"])
    def reopen_selected(self, request, queryset):
        self._review_each(request, queryset, *REVIEWS["reopen"])

    def _review_each(self, request, queryset, review: ReviewService, done: str, **kwargs) -> None:
        """Review each selected annotation; report which were done, and which were skipped and why."""
        reviewed: list[Annotation] = []
        skipped: dict[str, list[Annotation]] = defaultdict(list)
        for annotation in queryset.order_by("id"):
            try:
                review(actor=request.user, annotation_id=annotation.pk, **kwargs)
            except DomainError as exc:
                skipped[exc.message].append(annotation)
            else:
                reviewed.append(annotation)
                self.log_change(request, annotation, done)
        if reviewed:
            self.message_user(request, f"{done} {_count(reviewed)}: {_labels(reviewed)}.", messages.SUCCESS)
        for reason, annotations in skipped.items():
            message = f"Skipped {_count(annotations)}: {_labels(annotations)}. {reason}"
            self.message_user(request, message, messages.WARNING)


# --- deleted annotations: what they were and their history, read-only -------------------


@admin.register(DeletedAnnotation)
class DeletedAnnotationAdmin(admin.ModelAdmin):
    """Annotations deleted through the services, each as it was with its whole history."""

    list_display = ["short_quote", "kind", "article_link", "author", "deleter", "deleted_at", "former_id"]
    list_select_related = ["article", "created_by", "deleted_by"]
    list_filter = ["kind", "deleted_at"]
    search_fields = ["quote", "article__title"]
    search_help_text = "Search the quote and the article's title."
    date_hierarchy = "deleted_at"
    fields = readonly_fields = [
        *["former_id", "article_link", "kind", "quote", "author", "deleter", "deleted_at"],
        *["stored_fields", "history_table"],
    ]
    user_fields = {"created_by", "reviewed_by", "actor"}  # stored as ids; shown as usernames

    def get_queryset(self, request):
        deleted = super().get_queryset(request).select_related("article", "created_by", "deleted_by")
        return deleted.defer("article__body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, deleted: DeletedAnnotation) -> str:
        return Truncator(deleted.quote).chars(80)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, deleted: DeletedAnnotation) -> str:
        url = reverse("admin:annotations_article_change", args=[deleted.article_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(deleted.article.title).chars(60))

    @admin.display(description="author", ordering="created_by__username")
    def author(self, deleted: DeletedAnnotation) -> str:
        return deleted.created_by.get_username()

    @admin.display(description="deleted by", ordering="deleted_by__username")
    def deleter(self, deleted: DeletedAnnotation) -> str:
        return deleted.deleted_by.get_username()

    @admin.display(description="as it was")
    def stored_fields(self, deleted: DeletedAnnotation) -> str:
        names = self._usernames(deleted)
        rows = [(name, self._shown(name, value, names)) for name, value in deleted.fields.items()]
        return format_html(
            "<table><tbody>{}</tbody></table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    @admin.display(description="history")
    def history_table(self, deleted: DeletedAnnotation) -> str:
        names = self._usernames(deleted)
        columns = ["at", "action", "actor", "from_status", "to_status", "comment"]
        rows = [[self._shown(name, event[name], names) for name in columns] for event in deleted.history]
        rows.append([json_time(deleted.deleted_at), "deleted", deleted.deleted_by.get_username(), "", "", ""])
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ([name.replace("_status", "")] for name in columns)),
            format_html_join("", "<tr>" + "<td>{}</td>" * len(columns) + "</tr>", rows),
        )

    def _usernames(self, deleted: DeletedAnnotation) -> dict:
        """The usernames of every user the record names: one query, kept on the record for
        both tables of its page."""
        if not hasattr(deleted, "_usernames"):
            ids = {deleted.fields.get(name) for name in self.user_fields}
            ids |= {event["actor"] for event in deleted.history}
            users = get_user_model().objects.filter(pk__in=ids - {None})
            deleted._usernames = dict(users.values_list("pk", "username"))
        return deleted._usernames

    def _shown(self, name: str, value, usernames: dict) -> str:
        if value in ("", None):
            return "—"
        return usernames.get(value, value) if name in self.user_fields else value


def json_time(moment) -> str:
    """A time as DjangoJSONEncoder wrote the stored ones."""
    return DjangoJSONEncoder().default(moment)


def _count(annotations: list[Annotation]) -> str:
    return f"{len(annotations)} annotation{'' if len(annotations) == 1 else 's'}"


def _labels(annotations: list[Annotation], shown: int = 10) -> str:
    labels = [f"#{a.pk} “{Truncator(a.quote).chars(40)}”" for a in annotations[:shown]]
    if len(annotations) > shown:
        labels.append(f"and {len(annotations) - shown} more")
    return ", ".join(labels)
