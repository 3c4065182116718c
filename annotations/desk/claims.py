"""Claims seen elsewhere, on the desk: a claim's card (and its own page) lists the most similar
claims of other articles, each with a Link button, and a linked claim says what it is linked with,
with an Unlink button. Linking and unlinking are plain form posts through services/claims.py (which
write the history events), answered by a redirect back with a message; a refusal is a message too.

The article page does not compute the similar claims of its cards: each is one similarity query
(on SQLite a read of every claim of the other articles), so an article with forty claims would pay
forty on every load, and again on every review in place (the cards are rendered again). Its
"Seen elsewhere" is a <details> that fetches this module's fragment when opened (desk.js): the page
itself costs one query for all its cards' group members, however many claims it has.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from annotations.domain.errors import DomainError
from annotations.domain.roles import Role
from annotations.models import Annotation, Article, Kind
from annotations.selectors.annotations import annotations_visible_to
from annotations.selectors.claims import similar_claims
from annotations.selectors.users import user_role
from annotations.services.claims import claim_unlink, claims_link

from .forms import refusal_words

SEEN_ELSEWHERE = 3  # similar claims a card shows: enough to spot the same claim, short enough for a card
SEEN_TEMPLATE = "admin/annotations/annotation/seen_elsewhere.html"
# Where a link or unlink goes back to: the claim's card on its article's page, or the claim's own page.
ON_ARTICLE, ON_ANNOTATION = "article", "annotation"


def may_link(user) -> bool:
    """Whether the user may link and unlink claims (the services' rule, said before the button)."""
    return user_role(user) >= Role.ANNOTATOR


def seen_elsewhere(user, claim: Annotation, *, on: str) -> dict:
    """The context of a claim's "Seen elsewhere" list: its SEEN_ELSEWHERE most similar claims in other
    articles with their articles (two queries), and whether the user may link them."""
    found = similar_claims(claim, user=user, limit=SEEN_ELSEWHERE)
    articles = Prefetch("article", queryset=Article.objects.defer("body"))
    prefetch_related_objects([s.claim for s in found], articles)
    return {"a": claim, "similar": found, "can_link": may_link(user), "on": on}


class ClaimLinkViews:
    """The claims' screens, on the annotations' ModelAdmin (URLs under /annotation/<id>/)."""

    def claim_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/similar/", view(self.similar_view), name="annotations_annotation_similar"),
            path("<path:object_id>/link/", view(self.link_view), name="annotations_annotation_link"),
            path("<path:object_id>/unlink/", view(self.unlink_view), name="annotations_annotation_unlink"),
        ]

    def similar_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The claim's "Seen elsewhere" list as an HTML fragment, for its card on the article page."""
        claim = self.get_object(request, unquote(object_id))
        if claim is None or claim.kind != Kind.CLAIM:
            return HttpResponse("No such claim.", status=404, content_type="text/plain; charset=utf-8")
        on = ON_ANNOTATION if request.GET.get("on") == ON_ANNOTATION else ON_ARTICLE
        return TemplateResponse(request, SEEN_TEMPLATE, seen_elsewhere(request.user, claim, on=on))

    @method_decorator(require_POST)
    def link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Put the claim and the one named `to` in one claim group (claims_link)."""
        claim = self._linking(request, object_id)
        if claim is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        to = request.POST.get("to", "")
        other = None
        if to.isascii() and to.isdigit():
            other = annotations_visible_to(request.user).filter(pk=int(to)).first()
        if other is None:
            missing = f"there is no annotation #{to} to link it to." if to else "no claim was chosen to link it to."
            self.message_user(request, f"Not linked: {missing}", messages.ERROR)
            return self._back(request, claim)
        try:
            claims_link(actor=request.user, annotation_id=claim.pk, to=other.pk)
        except DomainError as exc:
            self.message_user(request, f"Not linked: {refusal_words(exc)}", messages.ERROR)
        else:
            self.message_user(request, f"Linked {_label(claim)} with {_label(other)}.", messages.SUCCESS)
        return self._back(request, claim)

    @method_decorator(require_POST)
    def unlink_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Take the claim out of its claim group (claim_unlink)."""
        claim = self._linking(request, object_id)
        if claim is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if claim.claim_group_id is None:
            self.message_user(request, f"{_label(claim)} is not linked to any claim.", messages.WARNING)
            return self._back(request, claim)
        try:
            claim_unlink(actor=request.user, annotation_id=claim.pk)
        except DomainError as exc:
            self.message_user(request, f"Not unlinked: {refusal_words(exc)}", messages.ERROR)
        else:
            self.message_user(request, f"Unlinked {_label(claim)}.", messages.SUCCESS)
        return self._back(request, claim)

    def _linking(self, request: HttpRequest, object_id: str) -> Annotation | None:
        if not may_link(request.user):
            raise PermissionDenied
        return self.get_object(request, unquote(object_id))

    def _back(self, request: HttpRequest, claim: Annotation) -> HttpResponse:
        """Back where the button was: the claim's own page, or its card on its article's page."""
        if request.POST.get("on") == ON_ANNOTATION:
            return redirect("admin:annotations_annotation_change", claim.pk)
        return redirect(reverse("admin:annotations_article_change", args=[claim.article_id]) + f"#mark-{claim.pk}")


def _label(annotation: Annotation) -> str:
    return f"#{annotation.pk} “{Truncator(annotation.quote).chars(40)}”"
