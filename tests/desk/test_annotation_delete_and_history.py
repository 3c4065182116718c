"""Deleting an annotation on the desk says what happens (it is kept, with its history, under
Deleted annotations), names people by username, and an annotation has one history: its page's."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, AnnotationEvent, DeletedAnnotation
from annotations.services.reviews import annotation_reject, annotation_reopen


def delete_url(annotation) -> str:
    return reverse("admin:annotations_annotation_delete", args=[annotation.pk])


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def content_of(html: str) -> str:
    return html.split('id="content"')[1].split('id="footer"')[0]


def test_the_delete_page_says_the_annotation_and_its_history_are_kept(reworked, annotator, browser_for):
    html = browser_for(annotator).get(delete_url(reworked)).content.decode()
    text = text_of(content_of(html))
    assert f"Are you sure you want to delete this annotation: {reworked}?" in text  # Claim “Kyiv was calm”
    assert (
        "It leaves the list of annotations and its article's page, but it is not lost: the annotation as it is now "
        "and its whole history are kept under “Deleted annotations”, where reviewers can read them." in text
    )
    assert "will be deleted" not in text
    # alice may not read the deleted annotations: named, not linked.
    assert reverse("admin:annotations_deletedannotation_changelist") not in html


def test_the_delete_page_links_the_deleted_annotations_for_those_who_read_them(reworked, admin_user, browser_for):
    html = browser_for(admin_user).get(delete_url(reworked)).content.decode()
    link = f'<a href="{reverse("admin:annotations_deletedannotation_changelist")}">Deleted annotations</a>'
    assert link in html


def test_the_delete_page_lists_the_history_by_username(reworked, annotator, reviewer, browser_for):
    html = content_of(browser_for(annotator).get(delete_url(reworked)).content.decode())
    objects = html.split('id="deleted-objects"')[1].split("<form")[0]
    listed = [text_of(item.split("<ul>")[0]) for item in objects.split("<li>")[1:]]
    assert listed[0] == f"Annotation: {reworked}"
    events = [re.sub(r" at \S+ \S+$", "", line) for line in listed if line.startswith("Annotation event")]
    assert events == [
        "Annotation event: created by alice",
        "Annotation event: rejected by bob",
        "Annotation event: edited by alice",
    ]
    assert "Annotations: 1" in text_of(html) and "Annotation events: 3" in text_of(html)
    ids = {str(annotator.pk), str(reviewer.pk)}
    assert not any(re.search(rf"by {user_id}\b", line) for line in listed for user_id in ids)


def test_the_delete_page_costs_the_same_queries_however_long_the_history(
    reworked, annotator, reviewer, other_reviewer, browser_for
):
    client = browser_for(annotator)
    with CaptureQueriesContext(connection) as short:
        client.get(delete_url(reworked))
    for _ in range(5):  # ten more events, by two other people
        annotation_reject(actor=other_reviewer, annotation_id=reworked.pk, comment="again")
        annotation_reopen(actor=reviewer, annotation_id=reworked.pk)
    with CaptureQueriesContext(connection) as long:
        html = client.get(delete_url(reworked)).content.decode()
    assert "Annotation events: 13" in text_of(html) and "rejected by dave" in html
    assert len(long.captured_queries) == len(short.captured_queries)


def test_deleting_keeps_what_the_page_says(reworked, annotator, browser_for):
    response = browser_for(annotator).post(delete_url(reworked), {"post": "yes"})
    assert response.status_code == 302
    assert not Annotation.objects.filter(pk=reworked.pk).exists()
    kept = DeletedAnnotation.objects.get(former_id=reworked.pk)
    assert [event["action"] for event in kept.history] == ["created", "rejected", "edited"]


def test_an_annotations_only_dependents_are_its_events():
    """AnnotationAdmin.get_deleted_objects lists the events alone: a new relation must be added there."""
    assert [relation.related_model for relation in Annotation._meta.related_objects] == [AnnotationEvent]


def test_an_event_names_its_actor_by_username(reworked):
    event = AnnotationEvent.objects.filter(annotation=reworked).order_by("id").last()
    assert str(event) == f"edited by alice at {event.at:%Y-%m-%d %H:%M}"


# --- one history -----------------------------------------------------------------------------------


def test_an_annotation_page_offers_no_history_link_but_shows_its_history(reworked, reviewer, browser_for):
    change_url = reverse("admin:annotations_annotation_change", args=[reworked.pk])
    html = browser_for(reviewer).get(change_url).content.decode()
    history_url = reverse("admin:annotations_annotation_history", args=[reworked.pk])
    assert history_url not in html and "historylink" not in html
    history = text_of(html.split('id="events-group"')[1].split("</fieldset>")[0])
    assert re.search(r"Created alice .* Rejected bob .* Edited alice", history)


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_djangos_history_page_sends_you_to_the_annotations_page(reworked, role, request, browser_for):
    user = request.getfixturevalue(role)
    response = browser_for(user).get(reverse("admin:annotations_annotation_history", args=[reworked.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:annotations_annotation_change", args=[reworked.pk])


def test_the_annotation_page_names_events_by_username_in_the_history_table(reworked, reviewer, browser_for):
    """The inline prints each event as a row title too (its str): usernames there as well."""
    change_url = reverse("admin:annotations_annotation_change", args=[reworked.pk])
    history = browser_for(reviewer).get(change_url).content.decode().split('id="events-group"')[1]
    assert "edited by alice at" in history
