"""The desk's articles: the list with annotation counts, adding an article, and the
article's page, which shows its text with every annotation highlighted and
annotates a selection."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.roles import Role
from annotations.models import Article, Kind, Status
from annotations.query.pages import IdsFirstPaginator
from annotations.selectors.annotations import annotations_visible_to
from annotations.selectors.articles import article_queryset
from annotations.selectors.users import user_role
from annotations.services.annotations import annotation_create

from .filters import ARTICLE_FILTERS, NulSafeSearch
from .forms import ArticleCreateForm, DeskAnnotationForm, ServiceSavedForm, add_domain_error
from .highlight import highlight_body


@admin.register(Article)
class ArticleAdmin(NulSafeSearch, admin.ModelAdmin):
    list_display = ["title", "source", "language", "published_at", "pending", "approved", "rejected"]
    list_filter = ARTICLE_FILTERS
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
        return article_queryset(with_body=False)

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
        annotations = list(annotations_visible_to(request.user).filter(article=article).order_by("start", "-end", "id"))
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
                annotation = annotation_create(actor=request.user, article=article, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, f"Added {annotation} (#{annotation.pk}), pending review.")
                return JsonResponse({"id": annotation.pk}, status=201)
        errors = {field: [str(message) for message in field_errors] for field, field_errors in form.errors.items()}
        return JsonResponse({"errors": errors}, status=status)
