"""The desk's annotations: the review list with its bulk reviews, an annotation's page
(edit, review, history), adding one by offsets.

Every write goes through the services with the signed-in user as the actor, so
the desk follows the API's rules (roles, four eyes, the status machine, the
history). Domain errors become form errors or messages, never a 500. Status and
review fields are never editable here.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst, smart_split, unescape_string_literal
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.kinds import KIND_FIELDS, KIND_SPECIFIC_FIELDS, Kind
from annotations.domain.records import WRITABLE_FIELDS
from annotations.domain.spans import sentence_around
from annotations.domain.transitions import TRANSITIONS, reviews_allowed_from
from annotations.filters import AnnotationFilter
from annotations.models import Annotation, AnnotationEvent, Article
from annotations.selectors.annotations import annotation_authors, annotations_visible_to, review_queue
from annotations.selectors.claims import linked_with
from annotations.selectors.users import may_review
from annotations.services.annotations import annotation_delete, delete_refusal, edit_refusal
from annotations.services.reviews import (
    BULK_REVIEW_LIMIT,
    BulkReview,
    annotation_review,
    annotations_review_bulk,
)

from .claims import ON_ANNOTATION, ClaimLinkViews, seen_elsewhere
from .filters import ANNOTATION_FILTERS, holds_nul
from .forms import AnnotationAdminForm, RejectForm, ReviewForm, add_domain_error
from .origins import origin_tag
from .reanchor import ReanchorQueueViews


class AnnotationHistoryInline(admin.TabularInline):
    """The annotation's history as the services wrote it, oldest first; read-only for everyone."""

    model = AnnotationEvent
    verbose_name, verbose_name_plural = "event", "history"
    # Users by name, not as links: the user admin is for admins only.
    fields = readonly_fields = ["at", "action", "actor_name", "from_status", "to_status", "comment", "changed"]
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
        return event.actor_name

    @admin.display(description="changed")
    def changed(self, event: AnnotationEvent) -> str:
        """An edit's changes, field by field: old → new (prefix and suffix follow the span: left out)."""
        # In the record's order: PostgreSQL's jsonb keeps its keys in an order of its own.
        rows = [
            (field.replace("_", " "), _shown(event.changes[field]["from"]), _shown(event.changes[field]["to"]))
            for field in WRITABLE_FIELDS
            if field in event.changes
        ]
        return format_html_join(mark_safe("<br>"), "{}: {} → {}", rows) if rows else "—"


@admin.register(Annotation)
class AnnotationAdmin(ReanchorQueueViews, ClaimLinkViews, admin.ModelAdmin):
    form = AnnotationAdminForm
    list_display = [
        *["short_quote", "kind", "type", "status_badge", "correction", "short_note"],
        *["article_link", "author", "reviewer"],
    ]
    list_select_related = ["article", "created_by", "reviewed_by"]
    list_filter = ANNOTATION_FILTERS
    search_fields = ["quote", "note", "article__title"]  # searched by get_search_results
    search_help_text = "Search the quote, the note and the article's title."
    ordering = ["-id"]
    list_per_page = 50
    show_full_result_count = False  # a second COUNT of every annotation on each filtered page (BENCHMARKS.md)
    autocomplete_fields = ["article"]
    actions = ["approve_selected", "reject_selected", "reopen_selected"]
    inlines = [AnnotationHistoryInline]
    review_fields = ["status", "author", "created_at", "reviewer", "reviewed_at", "review_comment"]

    class Media:
        css = {"all": ["annotations/desk.css"]}

    def changelist_view(self, request, extra_context=None):
        # The list's nine columns need the width that Django's screen menu would take (the
        # breadcrumbs and the home lead to the other screens), or they scroll at 1440 px.
        return super().changelist_view(
            request, extra_context={"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def get_queryset(self, request):
        # The article's title and source are shown; its body (possibly long) is not.
        return annotations_visible_to(request.user).select_related("article").defer("article__body")

    def get_fieldsets(self, request, obj=None):
        """The span, then each kind's own fields under its name (the page's script shows only the
        chosen kind's; a read-only page only the annotation's own), then the rest."""
        span = ["article", "kind", "start", "end", "quote"]
        kinds = [Kind(obj.kind)] if obj is not None and not self.has_change_permission(request, obj) else list(Kind)
        fieldsets = [("Span", {"fields": span})]
        for kind in kinds:
            fields = [field for field in WRITABLE_FIELDS if field in KIND_FIELDS[kind]]
            fieldsets.append((kind.label, {"fields": fields, "classes": ["desk-kind-fields", f"desk-for-{kind}"]}))
        taken = {*span, *KIND_SPECIFIC_FIELDS}
        fieldsets.append(("Notes", {"fields": [field for field in WRITABLE_FIELDS if field not in taken]}))
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
        join to the articles made PostgreSQL read every annotation (BENCHMARKS.md)."""
        if holds_nul(search_term):
            return queryset.none(), False  # no stored text holds one (see NulSafeSearch)
        for term in smart_split(search_term):
            if term[0] in "\"'" and term[-1] == term[0]:
                term = unescape_string_literal(term)
            titled = list(Article.objects.filter(title__icontains=term).values_list("id", flat=True))
            queryset = queryset.filter(Q(quote__icontains=term) | Q(note__icontains=term) | Q(article_id__in=titled))
        return queryset, False

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        next_pending = self.admin_site.admin_view(self.next_pending_view)
        return [
            path("next/", next_pending, name="annotations_annotation_next"),
            *self.reanchor_urls(),
            *self.claim_urls(),
            path("<path:object_id>/review/", review, name="annotations_annotation_review"),
            *super().get_urls(),
        ]

    def next_pending_view(self, request: HttpRequest):
        """The review queue's next annotation (pending, not the reviewer's own, oldest first,
        narrowed by the list's filters if given), opened on its article's page at its span.
        `not_article` skips the article the reviewer is on ("next pending article")."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        params = request.GET.copy()
        not_article = params.pop("not_article", [None])[0]
        filterset = AnnotationFilter(params, queryset=review_queue(request.user))
        if not filterset.is_valid():
            self.message_user(request, "The queue's filters are not valid.", messages.ERROR)
            return redirect("admin:annotations_annotation_changelist")
        queue = filterset.qs
        if not_article and not_article.isdigit():
            queue = queue.exclude(article_id=int(not_article))
        annotation = queue.values("id", "article_id").first()
        if annotation is None:
            self.message_user(request, "Your review queue is empty: nothing pending that you may review.")
            return redirect("admin:annotations_annotation_changelist")
        page = reverse("admin:annotations_article_change", args=[annotation["article_id"]])
        return redirect(f"{page}?queue=1#mark-{annotation['id']}")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["in_text"] = sentence_around(obj.article.body, obj.start, obj.end)
            context["origin"] = origin_tag(obj)
        if obj is not None and obj.kind == Kind.CLAIM:
            # One claim: its similar ones are read here (two queries), not fetched when opened as on a card.
            context["seen"] = {
                **seen_elsewhere(request.user, obj, on=ON_ANNOTATION),
                "linked": linked_with(request.user, [obj]).get(obj.pk),
            }
        if obj is not None and self.has_review_permission(request):
            context["review"] = {
                "url": reverse("admin:annotations_annotation_review", args=[obj.pk]),
                "form": ReviewForm(),
                # Only what the status allows; four eyes is said rather than hidden.
                "decisions": reviews_allowed_from(obj.status),
                "own": request.user.pk in annotation_authors(obj),
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
            done = TRANSITIONS[decision].action.label
            try:
                annotation_review(actor=request.user, annotation_id=annotation.pk, decision=decision, comment=comment)
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
        annotation_delete(actor=request.user, annotation_id=obj.pk)

    def get_deleted_objects(self, objs, request):
        """What the delete page lists: each annotation and its history, the events read with their
        actors in one query (Django's collector reads each event's actor on its own, to name it).

        An annotation's only dependents are its events (a test in
        tests/desk/test_annotation_delete_and_history.py holds this), so nothing is protected;
        annotation_delete keeps both under Deleted annotations, which delete_confirmation.html says."""
        annotations = list(objs)
        events: dict[int, list[str]] = {annotation.pk: [] for annotation in annotations}
        history = AnnotationEvent.objects.filter(annotation__in=annotations).select_related("actor")
        for event in history.order_by("annotation_id", "at", "id"):
            events[event.annotation_id].append(f"{capfirst(AnnotationEvent._meta.verbose_name)}: {event}")
        listed, perms_needed = [], set()
        for annotation in annotations:
            if not self.has_delete_permission(request, annotation):
                perms_needed.add(Annotation._meta.verbose_name)
            url = reverse("admin:annotations_annotation_change", args=[annotation.pk])
            listed.append(format_html('{}: <a href="{}">{}</a>', "Annotation", url, annotation))
            if events[annotation.pk]:
                listed.append(events[annotation.pk])
        counts = {Annotation._meta.verbose_name_plural: len(annotations)}
        if n_events := sum(len(of_one) for of_one in events.values()):
            counts[AnnotationEvent._meta.verbose_name_plural] = n_events
        return listed, counts, perms_needed, []

    def history_view(self, request, object_id, extra_context=None):
        """One history: the annotation's page shows every event (the desk's, the API's, creations);
        Django's log of desk actions misses most of them, so its page is not offered."""
        return redirect("admin:annotations_annotation_change", object_id)

    def get_actions(self, request):
        # Bulk delete would skip the per-annotation rules of annotation_delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- permissions: the role rules of API.md, on top of the role's model permissions

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or edit_refusal(request.user, obj) is None

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or delete_refusal(request.user, obj) is None

    def has_review_permission(self, request) -> bool:
        return may_review(request.user)

    # -- columns

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, annotation: Annotation) -> str:
        """The quote, after a machine suggestion's or an import's tag (a person's has none)."""
        quote = Truncator(annotation.quote).chars(80)
        tag = origin_tag(annotation)
        return format_html("{} {}", tag, quote) if tag else quote

    @admin.display(description="type")
    def type(self, annotation: Annotation) -> str:
        """The entity's or artifact's type, and the badge of a claim's rating or an artifact's severity
        (a claim has no type: its rating stands alone); a dash when there is neither."""
        named = annotation.get_entity_type_display() or annotation.get_artifact_type_display()
        grade = render_to_string(GRADE_TEMPLATE, {"a": annotation})  # markup, safe as rendered
        if not grade.strip():
            return named or "—"
        if not named:
            return grade
        return format_html('{}<span class="desk-grade">{}</span>', named, grade)

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

    @admin.display(description="correction")
    def correction(self, annotation: Annotation) -> str:
        return _shortened(annotation.suggested_correction)

    @admin.display(description="note")
    def short_note(self, annotation: Annotation) -> str:
        return _shortened(annotation.note)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, annotation: Annotation) -> str:
        url = reverse("admin:annotations_article_change", args=[annotation.article_id]) + f"#mark-{annotation.pk}"
        return format_html('<a href="{}">{}</a>', url, Truncator(annotation.article.title).chars(60))

    # -- review actions: one service call per annotation, each with its own lock and history event

    @admin.action(description="Approve selected annotations", permissions=["review"])
    def approve_selected(self, request, queryset):
        self._review_each(request, queryset, "approve")

    @admin.action(description="Reject selected annotations…", permissions=["review"])
    def reject_selected(self, request, queryset):
        # The intermediate page posts back here with `confirm` and the comment.
        form = RejectForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._review_each(request, queryset, "reject", comment=comment)
            return None
        # "Select all" across pages posts select_across instead of the ids, which could pass
        # Django's limit of fields per request; the page shows the first ones only.
        select_across = request.POST.get("select_across") == "1"
        ordered = queryset.order_by("id")
        shown = list(ordered[:REJECT_PAGE_SHOWS])
        total = len(shown) if len(shown) < REJECT_PAGE_SHOWS else ordered.count()
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject annotations",
            "opts": self.model._meta,
            "annotations": shown,
            "total": total,
            "more": total - len(shown),
            "limit": BULK_REVIEW_LIMIT,
            "select_across": select_across,
            "selected_ids": [shown[0].pk] if select_across and shown else list(ordered.values_list("pk", flat=True)),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/annotations/annotation/reject_selected.html", context)

    @admin.action(description="Reopen selected annotations (back to pending)", permissions=["review"])
    def reopen_selected(self, request, queryset):
        self._review_each(request, queryset, "reopen")

    def _review_each(self, request, queryset, decision: str, comment: str = "") -> None:
        """Review the selection in one transaction (up to BULK_REVIEW_LIMIT, oldest first); say
        which were done, which were refused and why, and how many are left for another run."""
        done = TRANSITIONS[decision].action.label
        ids = list(queryset.order_by("id").values_list("id", flat=True)[: BULK_REVIEW_LIMIT + 1])
        try:
            result = annotations_review_bulk(actor=request.user, annotation_ids=ids, decision=decision, comment=comment)
        except DomainError as exc:
            self.message_user(request, f"Nothing was {done.lower()}: {exc.message}", messages.ERROR)
            return
        report_bulk_review(self, request, result, decision)
        if result.not_reached:
            left = queryset.count() - BULK_REVIEW_LIMIT
            self.message_user(
                request,
                f"Not reviewed yet: {left:,} more of the selection, past the {BULK_REVIEW_LIMIT:,} "
                "(oldest first) that one bulk review takes. Run the action again for the next ones.",
                messages.WARNING,
            )


def report_bulk_review(
    model_admin, request, result: BulkReview, decision: str, *, noun: str = "annotation", qualifier: str = ""
) -> None:
    """Say what a bulk review did (the annotations reviewed, also in Django's log of desk actions) and
    what it skipped, by reason; `noun` names what was reviewed ("machine suggestion"), `qualifier`
    follows its count (" at 80 % or more")."""
    done = TRANSITIONS[decision].action.label
    if result.reviewed:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=result.reviewed,
            action_flag=CHANGE,
            change_message=done,
            single_object=False,
        )
        model_admin.message_user(
            request,
            f"{done} {_count(result.reviewed, noun)}{qualifier}: {_labels(result.reviewed)}.",
            messages.SUCCESS,
        )
    for reason, annotations in result.refused.items():
        message = f"Skipped {_count(annotations, noun)}{qualifier}: {_labels(annotations)}. {reason}"
        model_admin.message_user(request, message, messages.WARNING)


def _shortened(text: str, chars: int = 60) -> str:
    """A list cell's text: its first `chars` characters, ending with an ellipsis when cut, and
    the whole (up to a screenful) on hover; a dash when there is none."""
    if not text:
        return "—"
    return format_html('<span title="{}">{}</span>', Truncator(text).chars(1000), Truncator(text).chars(chars))


GRADE_TEMPLATE = "admin/annotations/annotation/grade.html"  # the same badge as on the article page
REJECT_PAGE_SHOWS = 50  # annotations listed on the bulk rejection's page; the rest are counted


def _shown(value) -> str:
    return "“”" if value == "" else f"“{Truncator(value).chars(60)}”" if isinstance(value, str) else str(value)


def _count(annotations: list[Annotation], noun: str = "annotation") -> str:
    return f"{len(annotations)} {noun}{'' if len(annotations) == 1 else 's'}"


def _labels(annotations: list[Annotation], shown: int = 10) -> str:
    labels = [f"#{a.pk} “{Truncator(a.quote).chars(40)}”" for a in annotations[:shown]]
    if len(annotations) > shown:
        labels.append(f"and {len(annotations) - shown} more")
    return ", ".join(labels)
