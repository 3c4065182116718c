"""The desk's articles: the list with annotation counts, adding an article, and the
article's page, which shows its text with every annotation highlighted, annotates a
selection and reviews an annotation in place (each answering JSON to the page's script).
An article's revisions: revising its text (article_revise), and each revision's page with
its diff and what it did to every annotation. Translation quality (MQM): the list's score
column and filter, read from the list's own query, and the page's panel with the errors
that make the score. Machine suggestions: their tags on the cards and the page's bar that
accepts or rejects them in bulk (desk/suggestions.py)."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, OrderBy
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.roles import Role
from annotations.domain.transitions import TRANSITIONS, reviews_allowed_from
from annotations.models import Annotation, Article, Kind, Status
from annotations.query.pages import IdsFirstPaginator
from annotations.query.quality import PER_1000_WORDS, with_verdict
from annotations.selectors.annotations import annotation_authors_of, annotations_visible_to
from annotations.selectors.articles import article_queryset, article_revisions
from annotations.selectors.claims import linked_with
from annotations.selectors.desk import revision_page
from annotations.selectors.quality import errors_of, quality_of, scoring
from annotations.selectors.users import may_review, user_role
from annotations.services.annotations import annotation_create
from annotations.services.articles import ARTICLE_DETAILS, article_update
from annotations.services.reviews import annotation_review
from annotations.services.revisions import article_revise

from .claims import may_link
from .filters import ARTICLE_FILTERS, NulSafeSearch
from .forms import (
    ArticleCreateForm,
    ArticleReviseForm,
    DeskAnnotationForm,
    DeskReviewForm,
    ServiceSavedForm,
    add_domain_error,
    submitted,
)
from .highlight import highlight_body
from .origins import origin_tag
from .revisions import revision_diff
from .suggestions import BAR_TEMPLATE, SuggestionViews, suggestions_bar

# The outcomes of a re-anchoring, in the order a revision's page lists their counts.
OUTCOMES = ["unchanged", "moved", "fixed", "fuzzy", "orphaned"]


# -- translation quality on the list


class NullsLast(OrderBy):
    """An order that keeps the rows without a value last both ways (Django's reverse puts them first)."""

    def reverse_ordering(self):
        super().reverse_ordering()
        self.nulls_first, self.nulls_last = None, True
        return self


# Worst first, as the score reads ascending (a penalty per 1,000 words descending); the articles
# without a score (no words) last, either way.
BY_SCORE = NullsLast(F(PER_1000_WORDS), descending=True, nulls_last=True)


class QualityFilter(admin.SimpleListFilter):
    """Articles whose translation quality passes or fails the settings' threshold, as their badges say."""

    title = "quality"
    parameter_name = "quality"

    def lookups(self, request, model_admin):
        threshold = _number(scoring().pass_threshold)
        return [("passed", f"passed (score ≥ {threshold})"), ("failed", f"failed (below {threshold})")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in ("passed", "failed"):
            raise IncorrectLookupParameters(f"quality: {self.value()!r} is not one of passed, failed.")
        return with_verdict(queryset, self.value(), scoring())


def _number(value: float) -> str:
    """A threshold as set: 99.0 as "99", 98.5 as "98.5"."""
    return f"{value:g}"


@admin.register(Article)
class ArticleAdmin(SuggestionViews, NulSafeSearch, admin.ModelAdmin):
    # The quality beside the title: on a phone the columns after the first two are a scroll away.
    list_display = ["title", "quality", "source", "language", "published_at", "pending", "approved", "rejected"]
    list_filter = [*ARTICLE_FILTERS, QualityFilter]
    paginator = IdsFirstPaginator  # each page counts the annotations of its own articles only
    # The body too: trigram indexes on UPPER(title) and UPPER(body) on PostgreSQL (migration 0007).
    search_fields = ["title", "source", "body"]
    search_help_text = "Search the title, the source and the text: every word must occur in one of them."
    ordering = ["-id"]
    list_per_page = 50  # as the annotations' list: a page of 100 took twice as long to render (BENCHMARKS.md)
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

    class Media:
        css = {"all": ["annotations/desk.css"]}

    def get_queryset(self, request):
        return article_queryset(with_body=False)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["imported_from", "content_sha256", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleCreateForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a fresh class per request, so this is not shared
        return form

    def save_model(self, request, obj, form, change):
        # A new article is stored by article_create already (ServiceSavedForm); an edit of the
        # details goes through article_update, which tells the change feed.
        if not isinstance(form, ServiceSavedForm):
            details = {name: form.cleaned_data[name] for name in form.changed_data if name in ARTICLE_DETAILS}
            article_update(actor=request.user, article_id=obj.pk, **details)

    @admin.display(description="pending", ordering="n_pending")
    def pending(self, article):
        return article.n_pending

    @admin.display(description="approved", ordering="n_approved")
    def approved(self, article):
        return article.n_approved

    @admin.display(description="rejected", ordering="n_rejected")
    def rejected(self, article):
        return article.n_rejected

    @admin.display(description="Quality", ordering=BY_SCORE)
    def quality(self, article):
        # Read in the list's own query (article_queryset): no query per row.
        scored_with = scoring()
        figures = quality_of(article, scored_with)
        if figures["score"] is None:
            return format_html('<span class="desk-no-score" title="{}">—</span>', "No score: the text has no words.")
        return format_html(
            '<span class="desk-score">{}</span> {}',
            f"{figures['score']:.2f}",
            _verdict(figures["passed"], scored_with.pass_threshold),
        )

    def get_urls(self):
        annotate = self.admin_site.admin_view(self.annotate_view)
        review = self.admin_site.admin_view(self.review_view)
        revise = self.admin_site.admin_view(self.revise_view)
        revision = self.admin_site.admin_view(self.revision_view)
        return [
            path("<path:object_id>/annotate/", annotate, name="annotations_article_annotate"),
            path("<path:object_id>/review/", review, name="annotations_article_review"),
            path("<path:object_id>/revise/", revise, name="annotations_article_revise"),
            path("<path:object_id>/revisions/<int:number>/", revision, name="annotations_article_revision"),
            *self.suggestion_urls(),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["desk"] = self._desk_context(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _desk_context(self, request: HttpRequest, article: Article) -> dict:
        annotations = self._annotations(request, article)
        items = self._items(request, annotations)
        changelist = reverse("admin:annotations_annotation_changelist")
        can_annotate = user_role(request.user) >= Role.ANNOTATOR
        return {
            "body": _highlighted(article, annotations),
            "items": items,
            "suggestions": suggestions_bar(request, article, items),
            "can_annotate": can_annotate,
            "can_review": self._can_review(request),
            "revisions": list(article_revisions(article)),
            "revise_form": ArticleReviseForm(initial={"body": article.body}) if can_annotate else None,
            "revise_url": reverse("admin:annotations_article_revise", args=[article.pk]),
            "form": DeskAnnotationForm(),
            "annotate_url": reverse("admin:annotations_article_annotate", args=[article.pk]),
            "review_url": reverse("admin:annotations_article_review", args=[article.pk]),
            "next_url": reverse("admin:annotations_annotation_next") + f"?not_article={article.pk}",
            "add_by_offsets_url": reverse("admin:annotations_annotation_add") + f"?article={article.pk}",
            "pending_url": f"{changelist}?article__id__exact={article.pk}&status=pending",
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "quality": _quality(article),
        }

    def _annotations(self, request: HttpRequest, article: Article) -> list[Annotation]:
        return list(annotations_visible_to(request.user).filter(article=article).order_by("start", "-end", "id"))

    def _can_review(self, request: HttpRequest) -> bool:
        return may_review(request.user)

    def _items(self, request: HttpRequest, annotations: list[Annotation]) -> list[dict]:
        """Each annotation with the reviews the user may make of it from the page: those its status
        allows, none of their own work (four eyes: `own` says so on the card)."""
        can_review = self._can_review(request)
        authors = annotation_authors_of(annotations) if can_review else {}
        # A claim's card lists what it is linked with (one query for the page); its similar claims
        # are fetched when its "Seen elsewhere" is opened (desk/claims.py says why).
        linked = linked_with(request.user, annotations)
        can_link = may_link(request.user)
        items = []
        for annotation in annotations:
            own = can_review and request.user.pk in authors[annotation.pk]
            reviews = reviews_allowed_from(annotation.status) if can_review and not own else []
            items.append(
                {
                    "a": annotation,
                    "origin": origin_tag(annotation),
                    "own": own,
                    "reviews": reviews,
                    "linked": linked.get(annotation.pk),
                    "can_link": can_link,
                }
            )
        return items

    def _panels(self, request: HttpRequest, article: Article) -> dict:
        """The page's highlighted body and its list of annotations, as HTML, after a change."""
        annotations = self._annotations(request, article)
        items = self._items(request, annotations)
        suggestions = render_to_string(BAR_TEMPLATE, {"bar": suggestions_bar(request, article, items)}, request)
        items = render_to_string("admin/annotations/article/desk_items.html", {"items": items}, request)
        # A review may change the score: the article is read again for it.
        quality = _quality(self.get_queryset(request).get(pk=article.pk))
        return {
            "body": _highlighted(article, annotations),
            "items": items,
            "suggestions": suggestions,
            "count": len(annotations),
            "quality": render_to_string("admin/annotations/article/quality.html", {"quality": quality}, request),
            "quality_line": render_to_string(
                "admin/annotations/article/quality_line.html", {"quality": quality}, request
            ),
        }

    @method_decorator(require_POST)
    def annotate_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """Create an annotation from the desk's selection popup, through annotation_create; answers
        JSON with the page's new body and list, so that the page need not reload."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            return JsonResponse({"errors": {"__all__": ["No such article."]}}, status=404)
        form = DeskAnnotationForm(request.POST)
        annotation, status = submitted(form, annotation_create, actor=request.user, article=article)
        if annotation is None:
            return JsonResponse({"errors": _errors_of(form)}, status=status)
        message = f"Added {annotation} (#{annotation.pk}), pending review."
        return JsonResponse({"id": annotation.pk, "message": message, **self._panels(request, article)}, status=201)

    @method_decorator(require_POST)
    def review_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """Approve, reject or reopen one of the article's annotations from its page, through the
        review service; answers JSON with the page's new body and list."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            return JsonResponse({"errors": {"__all__": ["No such article."]}}, status=404)
        if not self._can_review(request):
            return JsonResponse({"errors": {"__all__": ["Only reviewers may review annotations."]}}, status=403)
        form = DeskReviewForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if not annotations_visible_to(request.user).filter(pk=data["annotation"], article=article).exists():
                return JsonResponse({"errors": {"__all__": ["No such annotation on this article."]}}, status=404)
            try:
                annotation = annotation_review(
                    actor=request.user,
                    annotation_id=data["annotation"],
                    decision=data["decision"],
                    comment=data["comment"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.http_status
            else:
                done = TRANSITIONS[data["decision"]].action.label
                message = f"{done} #{annotation.pk} “{Truncator(annotation.quote).chars(40)}”."
                return JsonResponse(
                    {
                        "id": annotation.pk,
                        "status": annotation.status,
                        "message": message,
                        **self._panels(request, article),
                    }
                )
        return JsonResponse({"errors": _errors_of(form)}, status=status)

    # -- revisions

    def revise_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Store a new revision of the article's text (article_revise re-anchors its annotations),
        then show that revision's page; a refusal shows the form again with the service's reason."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if user_role(request.user) < Role.ANNOTATOR:
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = ArticleReviseForm(request.POST)
            revised, status = submitted(form, article_revise, actor=request.user, article_id=article.pk)
            if revised is not None:
                number = revised.revision.number
                self.message_user(
                    request, f"Stored revision {number}: {_summary(revised.reanchoring)}.", messages.SUCCESS
                )
                return redirect("admin:annotations_article_revision", article.pk, number)
        else:
            form = ArticleReviseForm(initial={"body": article.body})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revise “{Truncator(article.title).chars(60)}”",
            "opts": self.opts,
            "original": article,
            "form": form,
            "revise_url": reverse("admin:annotations_article_revise", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/annotations/article/revise.html", context, status=status)

    def revision_view(self, request: HttpRequest, object_id: str, number: int) -> HttpResponse:
        """One revision: who made it and why, its diff against the one before, and what it did to
        each annotation of the article."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        page = revision_page(article, number)
        if page is None:
            raise Http404(f"The article has no revision {number}.")
        revision = page.revision
        summary = revision.reanchoring or {}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revision {number} of “{Truncator(article.title).chars(60)}”",
            "opts": self.opts,
            "original": article,
            "page": page,
            "revision": revision,
            "diff": revision_diff(page.previous_body, revision.body) if page.previous_body is not None else None,
            "summary": [(outcome, summary.get(outcome, 0)) for outcome in OUTCOMES] if summary else [],
            "left_to_reanchor": summary.get("fuzzy", 0) + summary.get("orphaned", 0),
            "revisions": list(article_revisions(article)),
            "article_url": reverse("admin:annotations_article_change", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/annotations/article/revision.html", context)


def _verdict(passed: bool, threshold: float) -> str:
    """The pass or fail badge of a score: the word says it, the colour and the mark only repeat it."""
    said = "pass" if passed else "fail"
    why = f"{'At or above' if passed else 'Below'} the pass threshold of {_number(threshold)}"
    return format_html('<span class="desk-verdict desk-verdict-{}" title="{}">{}</span>', said, why, said)


def _quality(article: Article) -> dict:
    """The article page's translation quality: its figures, the threshold and the errors that count,
    `article` read through article_queryset."""
    scored_with = scoring()
    figures = quality_of(article, scored_with)
    return {
        **figures,
        "score_shown": None if figures["score"] is None else f"{figures['score']:.2f}",
        "threshold": _number(scored_with.pass_threshold),
        "verdict": None if figures["score"] is None else _verdict(figures["passed"], scored_with.pass_threshold),
        "scored_errors": [
            {"error": error, "mqm_error_type": _breakable(error.mqm_error_type)}
            # The tally counted none: no query for the list of none.
            for error in (errors_of(article, scored_with) if any(figures["errors"].values()) else [])
        ],
    }


def _breakable(mqm_error_type: str) -> str:
    """An MQM error type that may wrap after each "/" in a narrow column."""
    return format_html_join(mark_safe("/<wbr>"), "{}", ((part,) for part in mqm_error_type.split("/")))


def _highlighted(article: Article, annotations: list[Annotation]):
    """The body with its annotations marked, but for orphaned ones: their offsets point into an older
    revision, and marked here they would lie on text they were never about."""
    return highlight_body(article.body, [a for a in annotations if a.status != Status.ORPHANED])


def _summary(reanchoring: dict[str, int] | None) -> str:
    counts = reanchoring or {}
    said = [f"{counts[outcome]} {outcome}" for outcome in OUTCOMES if counts.get(outcome)]
    return ", ".join(said) if said else "no annotations to re-anchor"


def _errors_of(form) -> dict[str, list[str]]:
    return {field: [str(message) for message in field_errors] for field, field_errors in form.errors.items()}
