"""Machine suggestions on the desk (issue 15). Their tags, and imports', are desk/origins.py's; a
pending suggestion is drawn in the article's text with an underline of its own (desk.css, from
highlight.py's `data-origin`).

The article page has a "Machine suggestions" bar while the article has pending suggestions: how
many, and for reviewers a form that accepts or rejects them in bulk, all of them or those at or
above a confidence. The view finds them on the server (the article's pending machine suggestions,
at or above the confidence asked for) and makes one bulk review of them through the same service
as the annotation list's actions (annotations_review_bulk: four eyes, the history events, one
transaction), then redirects back with a message of what was reviewed and what was skipped and why.
The bar's counts come from the page's own annotations: it costs no query.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.transitions import TRANSITIONS
from annotations.models import Annotation, Article, Origin, Status
from annotations.selectors.users import may_review
from annotations.services.reviews import BULK_REVIEW_LIMIT, annotations_review_bulk

from .annotations import report_bulk_review
from .forms import SUGGESTION_THRESHOLDS, SuggestionsReviewForm, refusal_words
from .origins import percent

BAR_TEMPLATE = "admin/annotations/article/suggestions.html"


def _at_least(min_confidence: float | None) -> str:
    return "any confidence" if min_confidence is None else f"{percent(min_confidence)} or more"


def _takes(annotation: Annotation, min_confidence: float | None) -> bool:
    """Whether a bulk review from `min_confidence` takes the suggestion (as pending_suggestions does)."""
    return min_confidence is None or (annotation.confidence is not None and annotation.confidence >= min_confidence)


def suggestions_bar(request: HttpRequest, article: Article, items: list[dict]) -> dict | None:
    """The bar's context from the article page's cards (desk/articles.py `_items`: each annotation and
    whether it is the user's own): None when no machine suggestion is pending."""
    pending = [item for item in items if item["a"].origin == Origin.MACHINE and item["a"].status == Status.PENDING]
    if not pending:
        return None
    can_review = may_review(request.user)
    options = []
    for value, min_confidence in SUGGESTION_THRESHOLDS.items():
        taken = [item for item in pending if _takes(item["a"], min_confidence)]
        yours = sum(1 for item in taken if item["own"])
        label = "any" if min_confidence is None else _at_least(min_confidence)
        options.append({"value": value, "label": f"{label} ({len(taken)})", "reviewable": len(taken) - yours})
    # The most confident that has something to review, as the reviewer would start.
    chosen = next((option for option in options if option["reviewable"]), options[-1])
    models = sorted({item["a"].model for item in pending if item["a"].model})
    return {
        "count": len(pending),
        "yours": sum(1 for item in pending if item["own"]),
        "models": models,
        "can_review": can_review,
        "options": options,
        "chosen": chosen,
        "url": reverse("admin:annotations_article_suggestions", args=[article.pk]),
    }


def pending_suggestions(article: Article, min_confidence: float | None) -> list[int]:
    """The ids of the article's pending machine suggestions at or above `min_confidence` (all of them
    for None), oldest first: one past the most a bulk review takes, to tell that some are left."""
    suggestions = Annotation.objects.filter(article=article, origin=Origin.MACHINE, status=Status.PENDING)
    if min_confidence is not None:
        suggestions = suggestions.filter(confidence__gte=min_confidence)
    return list(suggestions.order_by("id").values_list("id", flat=True)[: BULK_REVIEW_LIMIT + 1])


class SuggestionViews:
    """The machine suggestions bar's view, on the articles' ModelAdmin (under /article/<id>/)."""

    def suggestion_urls(self):
        view = self.admin_site.admin_view(self.suggestions_view)
        return [path("<path:object_id>/suggestions/", view, name="annotations_article_suggestions")]

    @method_decorator(require_POST)
    def suggestions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Accept or reject the article's pending machine suggestions at or above a confidence, in one
        bulk review; back to the article's page with what was done and what was skipped."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not may_review(request.user):
            raise PermissionDenied
        back = redirect("admin:annotations_article_change", article.pk)
        form = SuggestionsReviewForm(request.POST)
        if not form.is_valid():
            reasons = " ".join(message for errors in form.errors.values() for message in errors)
            self.message_user(request, f"Nothing was reviewed: {reasons}", messages.ERROR)
            return back
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        done = TRANSITIONS[decision].action.label
        min_confidence = form.min_confidence
        ids = pending_suggestions(article, min_confidence)
        if not ids:
            self.message_user(
                request,
                f"Nothing was {done.lower()}: no machine suggestion of this article is pending at "
                f"{_at_least(min_confidence)}.",
                messages.WARNING,
            )
            return back
        try:
            result = annotations_review_bulk(actor=request.user, annotation_ids=ids, decision=decision, comment=comment)
        except DomainError as exc:
            self.message_user(request, f"Nothing was {done.lower()}: {refusal_words(exc)}", messages.ERROR)
            return back
        report_bulk_review(
            self, request, result, decision, noun="machine suggestion", qualifier=f" at {_at_least(min_confidence)}"
        )
        if result.not_reached:
            self.message_user(
                request,
                f"Not reviewed yet: more suggestions of this article, past the {BULK_REVIEW_LIMIT:,} (oldest "
                "first) that one bulk review takes. Press the button again for the next ones.",
                messages.WARNING,
            )
        return back
