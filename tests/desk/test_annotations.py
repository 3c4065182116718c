"""The desk's annotation pages (desk/annotations.py): the list, review actions, reviewing and editing on its page."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from annotations.desk import annotations as desk_annotations_module
from annotations.models import Annotation, AnnotationEvent, Status
from annotations.services import reviews
from annotations.services.annotations import annotation_create
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.factories import ApprovedClaimFactory, bulk_claims

CHANGELIST = reverse("admin:annotations_annotation_changelist")


def annotation_url(annotation) -> str:
    return reverse("admin:annotations_annotation_change", args=[annotation.pk])


def approve(client, *annotations):
    return client.post(
        CHANGELIST,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [a.pk for a in annotations], "index": 0},
        follow=True,
    )


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the annotation list ---------------------------------------------------------------------------


@pytest.fixture
def desk_annotations(article, annotator, other_annotator, reviewer, make_annotation):
    """Three annotations: alice's pending claim, carol's approved entity, bob's own pending artifact."""
    kyodo = article_create(title="Kyodo report", body="Tokyo said so. Osaka too.", source="Kyodo")
    claim = make_annotation(annotator, article, quote="Kyiv was calm", note="check the wire")
    entity = make_annotation(other_annotator, kyodo, kind="entity", quote="Tokyo", entity_type="GPE")
    annotation_approve(actor=reviewer, annotation_id=entity.pk)
    artifact = make_annotation(
        reviewer, article, kind="translation_artifact", quote="Зеленский", artifact_type="untranslated"
    )
    return claim, entity, artifact


def listed_ids(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_the_list_shows_the_review_columns(desk_annotations, reviewer, browser_for):
    """Quote, kind, type, status, correction, note, article, author and reviewer are the list's columns."""
    html = browser_for(reviewer).get(CHANGELIST).content.decode()
    headers = re.findall(r'<div class="text">(?:<a [^>]*>|<span>)([^<]*)<', html)
    columns = ["Quote", "Kind", "Type", "Status", "Correction", "Note", "Article", "Author", "Reviewer"]
    assert [h for h in headers if h] == columns
    assert "Country, city, state" in html
    assert "Kyodo report" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", {"entity"}),
        ("kind=claim", {"claim"}),
        ("entity_type=GPE", {"entity"}),
        ("artifact_type=untranslated", {"artifact"}),
        ("source=Kyodo", {"entity"}),
        ("created_by=alice", {"claim"}),
        ("reviewed_by=bob", {"entity"}),
        ("q=wire", {"claim"}),
        ("q=kyodo+report", {"entity"}),
        ("q=Зеленский", {"artifact"}),
        ("q=tokyo+KYODO", {"entity"}),  # each word anywhere: one in the quote, one in the title
        ("q=%22kyodo+report%22", {"entity"}),  # a quoted phrase stays whole
        ("q=%22report+kyodo%22", set()),
        ("q=calm+wire", {"claim"}),
        ("q=calm+tokyo", set()),
    ],
)
def test_the_list_filters_and_search(desk_annotations, reviewer, browser_for, query, expected):
    """Filters use the API's parameter names and meaning; search covers quote, note and article title."""
    named = dict(zip(["claim", "entity", "artifact"], desk_annotations, strict=True))
    response = browser_for(reviewer).get(f"{CHANGELIST}?{query}")
    assert listed_ids(response) == {named[name].pk for name in expected}


def test_an_unknown_filter_value_is_an_error_page_not_a_500(desk_annotations, reviewer, browser_for):
    """As in the API, an unknown choice is refused rather than ignored."""
    response = browser_for(reviewer).get(f"{CHANGELIST}?status=lost")
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_the_list_costs_the_same_queries_however_many_rows(
    desk_annotations, article, annotator, reviewer, browser_for, django_assert_max_num_queries
):
    """Article, author and reviewer come in the list's one query (list_select_related)."""
    client = browser_for(reviewer)
    with django_assert_max_num_queries(100) as few:
        client.get(CHANGELIST)
    more = ApprovedClaimFactory.create_batch(5, article=article, created_by=annotator, reviewed_by=reviewer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = listed_ids(client.get(CHANGELIST))
    assert listed == {a.pk for a in [*desk_annotations, *more]}


# --- review actions --------------------------------------------------------------------------------


def action_names(response) -> list[str]:
    return re.findall(
        r'<option value="(\w+)"', response.content.decode().split('name="action"')[1].split("</select>")[0]
    )


def test_only_reviewers_are_offered_the_review_actions(desk_annotations, annotator, reviewer, browser_for):
    """Annotators get no bulk action at all (not even bulk delete, which would skip the per-annotation rules)."""
    assert action_names(browser_for(reviewer).get(CHANGELIST)) == [
        "approve_selected",
        "reject_selected",
        "reopen_selected",
    ]
    assert 'name="action"' not in browser_for(annotator).get(CHANGELIST).content.decode()


def test_annotators_cannot_run_review_actions_by_posting_them(desk_annotations, annotator, browser_for):
    """A forged approve from an annotator changes nothing."""
    claim, *_ = desk_annotations
    approve(browser_for(annotator), claim)
    claim.refresh_from_db()
    assert claim.status == Status.PENDING


def test_bulk_approve_keeps_four_eyes_and_says_what_it_skipped(desk_annotations, reviewer, browser_for):
    """The reviewer's own annotation and an approved one are skipped, each named with the reason."""
    claim, entity, own = desk_annotations
    response = approve(browser_for(reviewer), claim, entity, own)
    claim.refresh_from_db()
    own.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (Status.APPROVED, reviewer)
    assert own.status == Status.PENDING
    shown = page_messages(response)
    assert f"Approved 1 annotation: #{claim.pk} “Kyiv was calm”." in shown
    assert any(f"#{own.pk} “Зеленский”" in m and "author" in m and "four eyes" in m for m in shown)
    assert any(f"#{entity.pk} “Tokyo”" in m and "approved" in m for m in shown)
    event = claim.events.order_by("at", "id").last()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "approved",
        reviewer,
        "pending",
        "approved",
    )


def test_bulk_reject_asks_for_a_comment_first(desk_annotations, other_reviewer, browser_for):
    """Reject shows an intermediate page; without a comment nothing happens; with one, it lands in the history."""
    claim, _, artifact = desk_annotations
    client = browser_for(other_reviewer)
    selected = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [claim.pk, artifact.pk]}
    response = client.post(CHANGELIST, {**selected, "index": 0})
    assert response.status_code == 200
    assert 'name="comment"' in response.content.decode()
    assert "Kyiv was calm" in response.content.decode()

    response = client.post(CHANGELIST, {**selected, "confirm": "yes", "comment": "  "})
    assert "This field is required." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.PENDING

    response = client.post(CHANGELIST, {**selected, "confirm": "yes", "comment": "Not in the source."}, follow=True)
    assert "Rejected 2 annotations" in " ".join(page_messages(response))
    for annotation in (claim, artifact):
        annotation.refresh_from_db()
        assert (annotation.status, annotation.review_comment) == (Status.REJECTED, "Not in the source.")
        assert annotation.events.filter(action="rejected", comment="Not in the source.").count() == 1


def test_bulk_reopen_sends_reviewed_annotations_back_to_pending(desk_annotations, other_reviewer, browser_for):
    claim, entity, _ = desk_annotations
    response = browser_for(other_reviewer).post(
        CHANGELIST,
        {"action": "reopen_selected", ACTION_CHECKBOX_NAME: [claim.pk, entity.pk], "index": 0},
        follow=True,
    )
    entity.refresh_from_db()
    assert (entity.status, entity.reviewed_by) == (Status.PENDING, None)
    shown = page_messages(response)
    assert f"Reopened 1 annotation: #{entity.pk} “Tokyo”." in shown
    assert any(f"#{claim.pk} “Kyiv was calm”" in m and "pending" in m for m in shown)
    assert entity.events.order_by("at", "id").last().action == "reopened"


# --- reviewing on an annotation's own page ----------------------------------------------------------


def review(client, annotation, decision: str, comment: str = ""):
    url = reverse("admin:annotations_annotation_review", args=[annotation.pk])
    return client.post(url, {"decision": decision, "comment": comment}, follow=True)


def review_buttons(response) -> list[str]:
    return re.findall(r'<button type="submit" name="decision" value="(\w+)"', response.content.decode())


def test_a_reviewer_approves_from_the_annotation_page(desk_annotations, reviewer, browser_for):
    claim, *_ = desk_annotations
    client = browser_for(reviewer)
    assert review_buttons(client.get(annotation_url(claim))) == ["approve", "reject"]
    response = review(client, claim, "approve", "matches the wire")
    assert response.redirect_chain[-1][0] == annotation_url(claim)
    assert page_messages(response) == [f"Approved #{claim.pk} “Kyiv was calm”."]
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.review_comment) == (Status.APPROVED, reviewer, "matches the wire")
    assert review_buttons(response) == ["reopen"]


def test_a_rejection_from_the_page_needs_its_comment(desk_annotations, reviewer, browser_for):
    claim, *_ = desk_annotations
    client = browser_for(reviewer)
    response = review(client, claim, "reject")
    assert page_messages(response) == ["Not rejected: A rejection needs a comment that says why."]
    claim.refresh_from_db()
    assert claim.status == Status.PENDING
    review(client, claim, "reject", "wrong span")
    claim.refresh_from_db()
    assert (claim.status, claim.review_comment) == (Status.REJECTED, "wrong span")
    response = review(client, claim, "reopen", "second look")
    claim.refresh_from_db()
    assert claim.status == Status.PENDING
    assert [e.action for e in claim.events.order_by("at", "id")] == ["created", "rejected", "reopened"]


def test_the_page_says_four_eyes_to_the_author_and_the_service_holds_it(desk_annotations, reviewer, browser_for):
    *_, own = desk_annotations
    client = browser_for(reviewer)
    page = client.get(annotation_url(own))
    assert review_buttons(page) == []
    assert "someone else must review it (four eyes)" in page.content.decode()
    response = review(client, own, "approve")
    assert "four eyes" in page_messages(response)[0]
    own.refresh_from_db()
    assert own.status == Status.PENDING


def test_annotators_get_no_review_box_and_cannot_post_one(desk_annotations, annotator, browser_for):
    _, entity, _ = desk_annotations
    client = browser_for(annotator)
    assert "desk-review" not in client.get(annotation_url(entity)).content.decode()
    url = reverse("admin:annotations_annotation_review", args=[entity.pk])
    assert client.post(url, {"decision": "reopen"}).status_code == 403
    assert client.get(url).status_code == 405
    entity.refresh_from_db()
    assert entity.status == Status.APPROVED


# --- the annotation page ---------------------------------------------------------------------------


def test_status_is_never_a_form_field(desk_annotations, annotator, browser_for):
    """The author's edit form has no status or review field, and a forged status is ignored."""
    claim, *_ = desk_annotations
    client = browser_for(annotator)
    html = client.get(annotation_url(claim)).content.decode()
    assert 'name="status"' not in html
    assert 'name="reviewed_by"' not in html
    data = {"kind": "claim", "start": claim.start, "end": claim.end, "claimant": "", "note": "", "status": "approved"}
    data.update({"entity_type": "", "artifact_type": "", "suggested_correction": ""})
    data.update({"events-TOTAL_FORMS": 1, "events-INITIAL_FORMS": 1, "events-MIN_NUM_FORMS": 0})
    data["events-MAX_NUM_FORMS"] = 1000
    client.post(annotation_url(claim), data)
    claim.refresh_from_db()
    assert claim.status == Status.PENDING


def edit(client, annotation, **changes):
    data = {
        field: getattr(annotation, field)
        for field in [
            "kind",
            "start",
            "end",
            "entity_type",
            "artifact_type",
            "suggested_correction",
            "claimant",
            "note",
        ]
    }
    data.update(changes)
    data.update({"events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0, "events-MIN_NUM_FORMS": 0})
    data["events-MAX_NUM_FORMS"] = 1000
    return client.post(annotation_url(annotation), data)


def test_the_author_edits_through_annotation_update(desk_annotations, annotator, other_reviewer, browser_for):
    """A rejected annotation edited by its author goes back to pending, with an 'edited' event."""
    claim, *_ = desk_annotations
    annotation_reject(actor=other_reviewer, annotation_id=claim.pk, comment="Which wire?")
    claim.refresh_from_db()
    response = edit(browser_for(annotator), claim, claimant="Test Wire", end=claim.start + len("Kyiv was"))
    assert response.status_code == 302, response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.claimant, claim.quote) == (Status.PENDING, "Test Wire", "Kyiv was")
    assert [e.action for e in claim.events.order_by("at", "id")] == ["created", "rejected", "edited"]


def test_an_edit_the_service_refuses_is_a_form_error(desk_annotations, annotator, browser_for):
    """A span past the body's end is shown beside the field, not as a 500."""
    claim, *_ = desk_annotations
    length = len(claim.article.body)
    response = edit(browser_for(annotator), claim, end=length + 1)
    assert response.status_code == 200
    assert (
        f"end ({length + 1}) is beyond the article body, which has {length} code points." in response.content.decode()
    )
    claim.refresh_from_db()
    assert claim.end == claim.start + len("Kyiv was calm")


def test_others_and_approved_annotations_are_read_only(desk_annotations, annotator, reviewer, browser_for):
    """An annotator may not edit or delete someone else's annotation, nor their own once approved."""
    claim, _, artifact = desk_annotations
    client = browser_for(annotator)
    assert edit(client, artifact, note="mine now").status_code == 403
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    claim.refresh_from_db()
    assert 'name="_save"' not in client.get(annotation_url(claim)).content.decode()
    assert edit(client, claim, note="sneaky").status_code == 403
    delete = reverse("admin:annotations_annotation_delete", args=[claim.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Annotation.objects.filter(pk=claim.pk).exists()


def test_the_author_deletes_a_pending_annotation_through_the_service(desk_annotations, annotator, browser_for):
    """Deleting from its page removes the annotation and its history."""
    claim, *_ = desk_annotations
    response = browser_for(annotator).post(
        reverse("admin:annotations_annotation_delete", args=[claim.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert not AnnotationEvent.objects.filter(annotation_id=claim.pk).exists()


def test_adding_by_quote_goes_through_annotation_create(article, annotator, browser_for):
    """The add form finds a quote given alone; a missing type is an error beside its field."""
    client = browser_for(annotator)
    add = reverse("admin:annotations_annotation_add")
    data = {"article": article.pk, "kind": "entity", "quote": "Зеленский", "entity_type": ""}
    response = client.post(add, data)
    assert response.status_code == 200
    assert "This field is required for entity annotations." in response.content.decode()
    assert client.post(add, {**data, "entity_type": "PERSON"}).status_code == 302
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.created_by) == (
        article.body.index("Зеленский"),
        article.body.index("Зеленский") + 9,
        annotator,
    )


def test_each_annotation_page_shows_its_history_read_only(desk_annotations, reviewer, browser_for):
    """Created and approved events are listed, with no way to add or change them."""
    _, entity, _ = desk_annotations
    html = browser_for(reviewer).get(annotation_url(entity)).content.decode()
    history = html.split('id="events-group"')[1]
    assert "created" in history and "approved" in history
    assert "bob" in history
    assert 'name="events-0-comment"' not in history
    assert 'name="events-MAX_NUM_FORMS" value="0"' in history
    # Author, reviewer and actors by name, with no link into the user admin, which reviewers may not open.
    assert "carol" in html and "/admin/auth/user/" not in html


def test_a_bulk_review_past_its_limit_says_what_was_done_and_what_was_not(
    article, annotator, reviewer, browser_for, monkeypatch
):
    """ "Select all" on 15,205 pending approved 3,427 and then failed with a 500. A bulk review
    takes the oldest BULK_REVIEW_LIMIT in one transaction and says how many are left."""
    monkeypatch.setattr(desk_annotations_module, "BULK_REVIEW_LIMIT", 2)
    monkeypatch.setattr(reviews, "BULK_REVIEW_LIMIT", 2)
    made = [
        annotation_create(actor=annotator, article=article, kind="claim", quote=q) for q in ("Prime", "met", "calm")
    ]
    response = browser_for(reviewer).post(
        CHANGELIST,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [a.pk for a in made], "select_across": 1, "index": 0},
        follow=True,
    )
    assert page_messages(response) == [
        f"Approved 2 annotations: #{made[0].pk} “Prime”, #{made[1].pk} “met”.",
        "Not reviewed yet: 1 more of the selection, past the 2 (oldest first) that one bulk review takes. "
        "Run the action again for the next ones.",
    ]
    assert list(Annotation.objects.order_by("id").values_list("status", flat=True)) == [
        "approved",
        "approved",
        "pending",
    ]


def test_rejecting_a_whole_filtered_list_posts_no_ids_and_names_the_first_only(
    article, annotator, reviewer, browser_for, settings
):
    """The confirmation page posted every selected id back: past DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
    that was a 400. With "select all", it posts select_across and lists the first ones."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    made = bulk_claims(60, created_by=annotator, reviewed_by=None, status="pending")
    client = browser_for(reviewer)
    form = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [made[0].pk], "select_across": 1, "index": 0}
    page = client.post(f"{CHANGELIST}?status=pending", form)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(f'name="{ACTION_CHECKBOX_NAME}"') == 1 and 'name="select_across" value="1"' in html
    assert "and 10 more" in html and 'value="Reject 60 annotations"' in html
    done = client.post(
        f"{CHANGELIST}?status=pending",
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [made[0].pk],
            "select_across": 1,
            "confirm": "yes",
            "comment": "Not claims: headlines.",
        },
        follow=True,
    )
    assert page_messages(done)[0].startswith("Rejected 60 annotations: ")
    assert set(Annotation.objects.values_list("status", flat=True)) == {"rejected"}
