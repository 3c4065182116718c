"""Machine suggestions and imports on the desk (issue 15): their tags on the article page's cards, in the
text, on the annotation's page and in the list (with its origin and confidence filters), and the article
page's bar that accepts or rejects an article's pending suggestions in bulk, from a confidence, through
the bulk review service (four eyes, history events), for reviewers only, at a fixed number of queries."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, AnnotationEvent, HistoryAction
from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.reviews import annotation_reject
from tests.factories import AnnotationFactory, ArticleFactory, span_of

CHANGELIST = reverse("admin:annotations_annotation_changelist")
MODEL = "ner-2024.1"


def desk_url(article) -> str:
    return reverse("admin:annotations_article_change", args=[article.pk])


def bar_url(article) -> str:
    return reverse("admin:annotations_article_suggestions", args=[article.pk])


def card_of(html: str, annotation) -> str:
    return re.search(rf'<li class="desk-item [^"]*" id="desk-item-{annotation.pk}".*?</li>', html, re.S).group()


def text_of(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip(" ")  # \xa0 kept


def bar_of(html: str) -> str | None:
    found = re.search(r'<section class="desk-suggestions".*?</section>', html, re.S)
    return found.group() if found else None


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def statuses(annotations) -> dict[str, str]:
    return {name: Annotation.objects.get(pk=a.pk).status for name, a in annotations.items()}


@pytest.fixture
def bot(make_user):
    """The account a tagging model posts its suggestions with: an annotator."""
    return make_user("annotator", "ner-bot")


@pytest.fixture
def suggest(bot):
    """`suggest(article, quote, confidence, actor=bot, nth=0, **fields)`: a pending machine suggestion of
    MODEL (an entity unless `kind` says otherwise), made through annotation_create as the API would."""

    def make(article, quote: str, confidence: float | None, *, actor=None, nth: int = 0, **fields):
        fields = {"kind": "entity", "entity_type": "PERSON", **fields}
        if fields["kind"] != "entity":
            fields.pop("entity_type")
        return annotation_create(
            actor=actor or bot,
            article=article,
            **span_of(article.body, quote, nth),
            quote=quote,
            origin="machine",
            model=MODEL,
            confidence=confidence,
            **fields,
        )

    return make


@pytest.fixture
def suggested(article, suggest, annotator, other_reviewer):
    """On `article`: pending suggestions at 0.97, 0.85, exactly 0.8 and 0.6, one at 0.9 already
    rejected, and alice's own (human) pending claim; on another article a pending suggestion at 0.95."""
    elsewhere = ArticleFactory(title="Elsewhere", body="Fumio Kishida spoke in Tokyo.")
    made = {
        "0.97": suggest(article, "Fumio Kishida", 0.97),
        "0.85": suggest(article, "Зеленский", 0.85),
        "0.8": suggest(article, "Kyiv", 0.8, entity_type="GPE"),
        "0.6": suggest(article, "Kyiv", 0.6, nth=1, entity_type="GPE", kind="entity"),
        "reviewed": suggest(article, "Kyiv was calm", 0.9, kind="claim"),
        "human": annotation_create(actor=annotator, article=article, kind="claim", quote="The end"),
        "elsewhere": suggest(elsewhere, "Fumio Kishida", 0.95),
    }
    annotation_reject(actor=other_reviewer, annotation_id=made["reviewed"].pk, comment="Not a claim.")
    return made


# -- how they look


def test_cards_and_marks_show_a_suggestion_with_its_model_and_confidence(
    article, suggest, annotator, reviewer, browser_for
):
    """A suggestion's card has its tag (model, confidence in whole percents rounded down) and the dashed
    style; an import's says "Imported"; a person's has neither. Pending suggestions' marks say their origin."""
    sure = suggest(article, "Fumio Kishida", 0.938)
    unsure = suggest(article, "Зеленский", 0.899)
    imported = annotation_create(actor=annotator, article=article, kind="claim", quote="Kyiv was calm", origin="import")
    human = annotation_create(actor=annotator, article=article, kind="claim", quote="The end")

    html = browser_for(reviewer).get(desk_url(article)).content.decode()

    card = card_of(html, sure)
    assert 'class="desk-item desk-entity desk-suggested"' in card
    assert f"Suggested by {MODEL} · 93\xa0%" in text_of(card)
    assert "Suggested by ner-2024.1 · 89\xa0%" in text_of(card_of(html, unsure))  # 0.899 is not 90 %
    assert 'class="desk-item desk-claim desk-imported"' in card_of(html, imported)
    assert "Imported" in text_of(card_of(html, imported)) and "Suggested" not in text_of(card_of(html, imported))
    assert "desk-origin" not in card_of(html, human)
    assert re.search(rf'<mark [^>]*data-annotation-id="{sure.pk}"[^>]*data-origin="machine"', html)
    assert re.search(rf'<mark [^>]*data-annotation-id="{imported.pk}"[^>]*data-origin="import"', html)
    assert not re.search(rf'<mark [^>]*data-annotation-id="{human.pk}"[^>]*data-origin', html)


def test_the_annotation_page_and_the_list_show_where_it_came_from(article, suggest, annotator, reviewer, browser_for):
    """The annotation's page names its origin beside its kind; the list's quote cell carries the tag."""
    sure = suggest(article, "Fumio Kishida", 0.97)
    suggest(article, "Зеленский", None)
    client = browser_for(reviewer)

    page = client.get(reverse("admin:annotations_annotation_change", args=[sure.pk])).content.decode()
    in_text = re.search(r'<section class="desk-in-text.*?</section>', page, re.S).group()
    assert f"Origin Suggested by {MODEL} · 97\xa0%" in text_of(in_text)
    assert 'data-origin="machine"' in in_text

    listed = client.get(CHANGELIST).content.decode()
    quotes = [text_of(cell) for cell in re.findall(r'class="field-short_quote">(.*?)</t[hd]>', listed, re.S)]
    assert f"Suggested by {MODEL} · 97\xa0% Fumio Kishida" in quotes
    assert f"Suggested by {MODEL} Зеленский" in quotes  # no confidence given: none said


def test_the_list_filters_by_origin_and_by_confidence_band(article, suggest, annotator, reviewer, browser_for):
    made = {
        "high": suggest(article, "Fumio Kishida", 0.9),
        "medium": suggest(article, "Зеленский", 0.899),
        "low": suggest(article, "Kyiv", 0.3, entity_type="GPE"),
        "imported": annotation_create(
            actor=annotator, article=article, kind="claim", quote="Kyiv was calm", origin="import"
        ),
        "human": annotation_create(actor=annotator, article=article, kind="claim", quote="The end"),
    }
    client = browser_for(reviewer)

    def listed(query: str) -> set[str]:
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200
        ids = {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', response.content.decode())}
        return {name for name, a in made.items() if a.pk in ids}

    assert listed("origin=machine") == {"high", "medium", "low"}
    assert listed("origin=import") == {"imported"}
    assert listed("origin=human") == {"human"}
    assert listed("confidence=high") == {"high"}
    assert listed("confidence=medium") == {"medium"}
    assert listed("confidence=low") == {"low"}
    assert listed("origin=machine&confidence=high&status=pending") == {"high"}
    sidebar = client.get(CHANGELIST).content.decode()
    assert "90 % or more" in sidebar and "50 % to 89 %" in sidebar and "Machine suggestion" in sidebar
    # A band the filter does not know is Django's "invalid filter" redirect, not a 500.
    assert client.get(f"{CHANGELIST}?confidence=sure").status_code == 302


# -- the bar


def test_the_bar_counts_the_pending_suggestions_by_confidence(suggested, article, reviewer, browser_for):
    html = browser_for(reviewer).get(desk_url(article)).content.decode()
    bar = bar_of(html)
    assert f"4 pending review, suggested by {MODEL}" in text_of(bar)
    options = re.findall(r'<option value="([^"]+)" data-reviewable="(\d+)"( selected)?>([^<]*)</option>', bar)
    assert [(value, label) for value, _, _, label in options] == [
        ("0.9", "90\xa0% or more (1)"),
        ("0.8", "80\xa0% or more (3)"),
        ("0.5", "50\xa0% or more (4)"),
        ("any", "any (4)"),
    ]
    assert options[0][2] == " selected"  # the most confident with something to review
    assert "Accept 1" in bar and "Reject 1" in bar
    assert 'data-origin="machine">suggested</span>' in html  # the legend says what the underline means


def test_bulk_accept_at_080_approves_exactly_the_articles_pending_suggestions_from_080(
    suggested, article, reviewer, browser_for
):
    """Not the weaker ones, nor another article's, nor a person's, nor one already reviewed; each
    approval writes its history event."""
    response = browser_for(reviewer).post(bar_url(article), {"decision": "approve", "threshold": "0.8"}, follow=True)

    assert response.redirect_chain == [(desk_url(article), 302)]
    assert statuses(suggested) == {
        "0.97": "approved",
        "0.85": "approved",
        "0.8": "approved",
        "0.6": "pending",
        "reviewed": "rejected",
        "human": "pending",
        "elsewhere": "pending",
    }
    approved = [suggested[name].pk for name in ("0.97", "0.85", "0.8")]
    events = AnnotationEvent.objects.filter(action=HistoryAction.APPROVED)
    assert sorted(events.values_list("annotation_id", flat=True)) == sorted(approved)
    assert {(e.actor_id, e.from_status, e.to_status) for e in events} == {(reviewer.pk, "pending", "approved")}
    assert Annotation.objects.get(pk=suggested["0.8"].pk).reviewed_by == reviewer
    shown = page_messages(response)
    assert len(shown) == 1 and shown[0].startswith("Approved 3 machine suggestions at 80\xa0% or more: #")
    # One left, at 0.6: the bar says so.
    assert "1 pending review" in text_of(bar_of(response.content.decode()))


def test_any_takes_every_pending_suggestion_with_or_without_a_confidence(article, suggest, reviewer, browser_for):
    made = [suggest(article, "Fumio Kishida", 0.2), suggest(article, "Зеленский", None)]
    response = browser_for(reviewer).post(bar_url(article), {"decision": "approve", "threshold": "any"}, follow=True)
    assert {Annotation.objects.get(pk=a.pk).status for a in made} == {"approved"}
    assert page_messages(response)[0].startswith("Approved 2 machine suggestions at any confidence: ")
    assert bar_of(response.content.decode()) is None  # none left: no bar
    assert '<div id="desk-suggestions" hidden></div>' in response.content.decode()


def test_bulk_reject_needs_a_comment(suggested, article, reviewer, browser_for):
    client = browser_for(reviewer)
    response = client.post(bar_url(article), {"decision": "reject", "threshold": "0.5", "comment": "  "}, follow=True)
    assert page_messages(response) == ["Nothing was rejected: A rejection needs a comment that says why."]
    assert statuses(suggested)["0.6"] == "pending"
    assert not AnnotationEvent.objects.filter(action=HistoryAction.REJECTED, actor=reviewer).exists()

    response = client.post(
        bar_url(article), {"decision": "reject", "threshold": "0.5", "comment": "Wrong model run."}, follow=True
    )
    assert page_messages(response)[0].startswith("Rejected 4 machine suggestions at 50\xa0% or more: ")
    rejected = Annotation.objects.filter(article=article, origin="machine", reviewed_by=reviewer)
    assert {(a.status, a.review_comment) for a in rejected} == {("rejected", "Wrong model run.")}
    assert rejected.count() == 4
    events = AnnotationEvent.objects.filter(action=HistoryAction.REJECTED, actor=reviewer)
    assert events.count() == 4 and {e.comment for e in events} == {"Wrong model run."}


def test_an_acceptance_with_a_reason_typed_is_refused(suggested, article, reviewer, browser_for):
    """Enter in the reason box sends the form's first button, Accept: the reason says it was meant as a rejection."""
    response = browser_for(reviewer).post(
        bar_url(article), {"decision": "approve", "threshold": "any", "comment": "Wrong model run."}, follow=True
    )
    assert page_messages(response)[0].startswith("Nothing was reviewed: You typed a reason to reject them")
    assert statuses(suggested)["0.97"] == "pending"


def test_four_eyes_skips_the_reviewers_own_suggestions_and_says_why(article, suggest, reviewer, browser_for):
    """Suggestions posted with the reviewer's own account are skipped and reported; the bar says
    beforehand how many are theirs, and its buttons count the others only."""
    own = [suggest(article, "Fumio Kishida", 0.95, actor=reviewer), suggest(article, "The end", 0.93, actor=reviewer)]
    others = suggest(article, "Зеленский", 0.91)
    client = browser_for(reviewer)

    bar = bar_of(client.get(desk_url(article)).content.decode())
    assert "2 of them are yours: someone else reviews them (four eyes)." in text_of(bar)
    assert "Accept 1" in bar  # 3 at 90 % or more, 2 of them the reviewer's

    response = client.post(bar_url(article), {"decision": "approve", "threshold": "0.9"}, follow=True)
    assert [Annotation.objects.get(pk=a.pk).status for a in [*own, others]] == ["pending", "pending", "approved"]
    assert page_messages(response) == [
        f"Approved 1 machine suggestion at 90\xa0% or more: #{others.pk} “Зеленский”.",
        f"Skipped 2 machine suggestions at 90\xa0% or more: #{own[0].pk} “Fumio Kishida”, #{own[1].pk} “The end”. "
        "You are this annotation's author; someone else must review it (four eyes).",
    ]
    assert not AnnotationEvent.objects.filter(annotation__in=own, action=HistoryAction.APPROVED).exists()


def test_four_eyes_skips_a_suggestion_the_reviewer_edited(article, suggest, admin_user, browser_for):
    """An admin who corrected a suggestion (an edit is authorship) may not accept it."""
    edited = suggest(article, "Kyiv was calm", 0.92, kind="claim")
    annotation_update(actor=admin_user, annotation_id=edited.pk, note="Checked the wire.")
    response = browser_for(admin_user).post(bar_url(article), {"decision": "approve", "threshold": "any"}, follow=True)
    assert Annotation.objects.get(pk=edited.pk).status == "pending"
    assert page_messages(response) == [
        f"Skipped 1 machine suggestion at any confidence: #{edited.pk} “Kyiv was calm”. "
        "You edited this annotation; someone else must review it (four eyes)."
    ]


def test_nothing_pending_at_the_confidence_asked_is_said(article, suggest, reviewer, browser_for):
    weak = suggest(article, "Fumio Kishida", 0.4)
    response = browser_for(reviewer).post(bar_url(article), {"decision": "approve", "threshold": "0.9"}, follow=True)
    assert page_messages(response) == [
        "Nothing was approved: no machine suggestion of this article is pending at 90\xa0% or more."
    ]
    assert Annotation.objects.get(pk=weak.pk).status == "pending"


def test_only_reviewers_may_use_the_bar(suggested, article, annotator, consumer, browser_for):
    """An annotator sees the count without the form, and the view is a 403 for them; a consumer, who
    may not use the desk, is sent to sign in."""
    client = browser_for(annotator)
    bar = bar_of(client.get(desk_url(article)).content.decode())
    assert "4 pending review" in text_of(bar) and "A reviewer accepts or rejects them." in text_of(bar)
    assert "<form" not in bar and "<button" not in bar
    response = client.post(bar_url(article), {"decision": "approve", "threshold": "any"})
    assert response.status_code == 403
    assert statuses(suggested)["0.97"] == "pending"
    response = browser_for(consumer).post(bar_url(article), {"decision": "approve", "threshold": "any"})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert statuses(suggested)["0.97"] == "pending"


def test_the_bar_is_posted_only(suggested, article, reviewer, browser_for):
    assert browser_for(reviewer).get(bar_url(article)).status_code == 405


def test_a_review_in_place_sends_the_bar_again(suggested, article, reviewer, browser_for):
    """The page's script replaces the bar after a review on a card: its count follows."""
    url = reverse("admin:annotations_article_review", args=[article.pk])
    response = browser_for(reviewer).post(url, {"annotation": suggested["0.97"].pk, "decision": "approve"})
    assert response.status_code == 200
    assert "3 pending review" in text_of(bar_of(response.json()["suggestions"]))


def test_the_article_page_costs_the_same_queries_for_3_and_for_12_suggestions(article, bot, reviewer, browser_for):
    """The bar's counts come from the page's own annotations: no query per suggestion, none for the bar."""
    client = browser_for(reviewer)

    def page_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as context:
            html = client.get(desk_url(article)).content.decode()
        return len(context.captured_queries), text_of(bar_of(html) or "")

    page_queries()  # once first: Django caches the content types the page looks up
    for i in range(3):
        AnnotationFactory(created_by=bot, article=article, origin="machine", model=MODEL, confidence=0.5 + i / 10)
    three, bar = page_queries()
    assert bar.startswith("Machine suggestions 3 3 pending review")
    for i in range(9):
        AnnotationFactory(created_by=bot, article=article, origin="machine", model=MODEL, confidence=0.9 + i / 100)
    twelve, bar = page_queries()
    assert bar.startswith("Machine suggestions 12 12 pending review")
    assert twelve == three, f"{three} queries for 3 suggestions, {twelve} for 12"
    assert three == PAGE_QUERIES


# The article page's queries for a reviewer with entities only (no claims to link, no errors to score):
# the session, the user, the article, the user's two permission sets, their role, the annotations with
# their authors and reviewers, their editors (four eyes), the body, the revisions. The bar adds none.
PAGE_QUERIES = 10
