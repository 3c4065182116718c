"""The re-anchoring queue: what a revision could not place for certain, for a person to settle.

Fuzzy annotations (pending again, their new span a guess) are confirmed (an approval, so never
by their author or an editor: four eyes), placed again or deleted; orphaned ones (not found in
the new text) are placed again or deleted. Placing again is selecting the text on the current
body (annotation_update with the page's code point offsets and the revision they are in).

Every action is a plain form post answered by a redirect to the queue with a message, through
the same services as the API; the queue says beforehand which actions the user may take and why not.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.roles import Role
from annotations.models import Status
from annotations.selectors.desk import REANCHOR_PAGE_SIZE, ToReanchor, reanchor_item, reanchor_queue
from annotations.selectors.users import may_review, user_role
from annotations.services.annotations import annotation_delete, annotation_update, delete_refusal, edit_refusal
from annotations.services.reviews import annotation_approve

from .forms import PlaceForm, submitted
from .highlight import highlight_body

QUEUE_URL = "admin:annotations_annotation_reanchor"


def confirm_refusal(user, item: ToReanchor) -> str | None:
    """Why `user` may not confirm this annotation's new span, or None if they may (the approval's
    rules, said before the button is pressed; the service checks them again)."""
    if item.annotation.status == Status.ORPHANED:
        return "Not found in the new text: place it again first."
    if not may_review(user):
        return "Only reviewers confirm a new span."
    if item.annotation.created_by_id == user.pk:
        return "Yours: someone else confirms it (four eyes)."
    if user.pk in item.authors:
        return "You edited it: someone else confirms it (four eyes)."
    return None


def _refusal_text(refusal: DomainError | None) -> str | None:
    return refusal.message if refusal is not None else None


class ReanchorQueueViews:
    """The queue's screens, on the annotations' ModelAdmin (its URLs under /annotation/reanchor/)."""

    def reanchor_urls(self):
        view = self.admin_site.admin_view
        return [
            path("reanchor/", view(self.reanchor_queue_view), name="annotations_annotation_reanchor"),
            path(
                "reanchor/<path:object_id>/confirm/",
                view(self.reanchor_confirm_view),
                name="annotations_annotation_reanchor_confirm",
            ),
            path(
                "reanchor/<path:object_id>/place/",
                view(self.reanchor_place_view),
                name="annotations_annotation_reanchor_place",
            ),
            path(
                "reanchor/<path:object_id>/delete/",
                view(self.reanchor_delete_view),
                name="annotations_annotation_reanchor_delete",
            ),
        ]

    def _require_desk_user(self, request: HttpRequest) -> None:
        if user_role(request.user) < Role.ANNOTATOR:
            raise PermissionDenied

    def reanchor_queue_view(self, request: HttpRequest) -> HttpResponse:
        """The queue, a page of REANCHOR_PAGE_SIZE at a time, each with the actions the user may take."""
        self._require_desk_user(request)
        page_number = request.GET.get("page", "1")
        page_number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
        page = reanchor_queue(request.user, page=page_number)
        user = request.user
        items = [
            {
                "item": item,
                "a": item.annotation,
                "event": item.event,
                "confirm_refusal": confirm_refusal(user, item),
                "place_refusal": _refusal_text(edit_refusal(user, item.annotation)),
                "delete_refusal": _refusal_text(delete_refusal(user, item.annotation)),
            }
            for item in page.items
        ]
        shown_to = (page_number - 1) * REANCHOR_PAGE_SIZE + len(items)
        context = {
            **self.admin_site.each_context(request),
            "title": "To re-anchor",
            "opts": self.opts,
            "items": items,
            "size": page.size,
            "page_number": page_number,
            "previous_page": page_number - 1 if page_number > 1 else None,
            "next_page": page_number + 1 if page.size.more or shown_to < page.size.count else None,
            "first_shown": (page_number - 1) * REANCHOR_PAGE_SIZE + 1,
            "last_shown": shown_to,
            "reviews": may_review(user),
        }
        return TemplateResponse(request, "admin/annotations/annotation/reanchor_queue.html", context)

    def _queued(self, request: HttpRequest, object_id: str) -> ToReanchor | None:
        object_id = unquote(object_id)
        item = reanchor_item(request.user, int(object_id)) if object_id.isdigit() else None
        if item is None:
            self.message_user(request, f"#{object_id} is not waiting to be re-anchored (any more).", messages.WARNING)
        return item

    @method_decorator(require_POST)
    def reanchor_confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Confirm a fuzzy annotation's new span: an approval, by someone other than its authors."""
        self._require_desk_user(request)
        if (item := self._queued(request, object_id)) is None:
            return redirect(QUEUE_URL)
        annotation = item.annotation
        try:
            annotation_approve(actor=request.user, annotation_id=annotation.pk)
        except DomainError as exc:
            self.message_user(request, f"Not confirmed: {exc.message}", messages.ERROR)
        else:
            self.message_user(request, f"Confirmed and approved {_label(annotation)}.", messages.SUCCESS)
        return redirect(QUEUE_URL)

    def reanchor_place_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The article's current text, to select where the annotation belongs now; the selection's
        offsets (code points) go to annotation_update with the revision they are in."""
        self._require_desk_user(request)
        if (item := self._queued(request, object_id)) is None:
            return redirect(QUEUE_URL)
        annotation, article = item.annotation, item.annotation.article
        status = 200
        form = PlaceForm()
        if request.method == "POST":
            form = PlaceForm(request.POST)
            placed, status = submitted(form, annotation_update, actor=request.user, annotation_id=annotation.pk)
            if placed is not None:
                self.message_user(
                    request,
                    f"Placed {_label(placed)} at {placed.start}\N{EN DASH}{placed.end} "
                    f"of revision {placed.revision}; it is pending review.",
                    messages.SUCCESS,
                )
                return redirect(QUEUE_URL)
        # A fuzzy annotation's guess is marked; an orphaned one's offsets are of an older text.
        guess = [annotation] if annotation.status == Status.PENDING else []
        context = {
            **self.admin_site.each_context(request),
            "title": f"Place {_label(annotation)} again",
            "opts": self.opts,
            "item": item,
            "a": annotation,
            "article": article,
            "body": highlight_body(article.body, guess),
            "form": form,
            "place_refusal": _refusal_text(edit_refusal(request.user, annotation)),
            "queue_url": reverse(QUEUE_URL),
        }
        return TemplateResponse(request, "admin/annotations/annotation/reanchor_place.html", context, status=status)

    @method_decorator(require_POST)
    def reanchor_delete_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Delete it (its author while not approved, or an admin); kept under Deleted annotations."""
        self._require_desk_user(request)
        if (item := self._queued(request, object_id)) is None:
            return redirect(QUEUE_URL)
        try:
            annotation_delete(actor=request.user, annotation_id=item.annotation.pk)
        except DomainError as exc:
            self.message_user(request, f"Not deleted: {exc.message}", messages.ERROR)
        else:
            self.message_user(request, f"Deleted {_label(item.annotation)}.", messages.SUCCESS)
        return redirect(QUEUE_URL)


def _label(annotation) -> str:
    return f"#{annotation.pk} “{Truncator(annotation.quote).chars(40)}”"
