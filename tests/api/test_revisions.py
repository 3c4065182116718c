"""/api/articles/{id}/revisions/ and what a revision shows on the annotation endpoints: shapes,
roles, conflicts, history events, orphans in lists and exports, query counts, emoji and CRLF."""

import json

import pytest

from annotations.domain.articles import body_sha256
from annotations.models import Annotation, Article
from annotations.services.revisions import article_revise
from tests.factories import MIXED_SCRIPTS_BODY, ArticleFactory
from tests.services.test_revisions import NEW, OLD, P2, assert_anchored, make_wire

pytestmark = pytest.mark.django_db

REVISION_FIELDS = {"revision", "created_by", "created_at", "note", "content_sha256", "reanchoring"}
SUMMARY_KEYS = {"unchanged", "moved", "fuzzy", "fixed", "orphaned"}


def revisions_url(article) -> str:
    return f"/api/articles/{article.pk if hasattr(article, 'pk') else article}/revisions/"


@pytest.fixture
def alice(client_for, annotator):
    return client_for(annotator)


@pytest.fixture
def ed(client_for, make_user):
    """An annotator who revises articles and made no annotation."""
    return client_for(make_user("annotator", "ed"))


@pytest.fixture
def wire(annotator, reviewer):
    """The OLD article of the service tests with one annotation per outcome of NEW (make_wire)."""
    return make_wire(annotator, reviewer)


@pytest.fixture
def revised(wire, ed):
    """The wire article after NEW was posted as revision 2 by ed; (article, annotations, response)."""
    article, annotations = wire
    response = ed.post(revisions_url(article), {"body": NEW, "note": "agency correction"}, format="json")
    assert response.status_code == 201, response.json()
    return article, annotations, response


# --- POST -------------------------------------------------------------------------


def test_posting_a_revision_returns_the_article_and_the_reanchoring_summary(revised):
    article, _, response = revised
    data = response.json()
    assert data["id"] == article.pk
    assert (data["revision"], data["body"], data["content_sha256"]) == (2, NEW, body_sha256(NEW))
    assert data["revised_at"] is not None
    assert data["reanchoring"] == {"unchanged": 1, "moved": 1, "fuzzy": 1, "fixed": 1, "orphaned": 1}
    assert data["title"] == "Summit"
    assert data["annotation_counts"]["orphaned"] == 1
    assert_anchored(article)


def test_the_article_shows_its_revision_afterwards(revised, client_for, consumer):
    article, _, response = revised
    data = client_for(consumer).get(f"/api/articles/{article.pk}/").json()
    assert (data["revision"], data["revised_at"], data["body"]) == (2, response.json()["revised_at"], NEW)
    listed = client_for(consumer).get("/api/articles/").json()["results"]
    assert [(a["id"], a["revision"]) for a in listed] == [(article.pk, 2)]


def test_an_article_never_revised_is_at_revision_1_with_no_revised_at(alice, wire):
    article, _ = wire
    data = alice.get(f"/api/articles/{article.pk}/").json()
    assert (data["revision"], data["revised_at"]) == (1, None)


def test_a_new_title_comes_with_the_revision(wire, ed):
    article, _ = wire
    response = ed.post(revisions_url(article), {"body": NEW, "title": "Summit, corrected"}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "Summit, corrected"


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_reviewers_and_admins_may_revise(wire, client_for, make_user, role):
    article, _ = wire
    response = client_for(make_user(role)).post(revisions_url(article), {"body": NEW}, format="json")
    assert response.status_code == 201


def test_a_consumer_may_read_revisions_but_not_post_one(wire, client_for, consumer):
    article, _ = wire
    client = client_for(consumer)
    response = client.post(revisions_url(article), {"body": NEW}, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert client.get(revisions_url(article)).status_code == 200
    assert Article.objects.get(pk=article.pk).revision == 1


def test_anonymous_is_401(wire, client_for):
    article, _ = wire
    assert client_for(None).post(revisions_url(article), {"body": NEW}, format="json").status_code == 401
    assert client_for(None).get(revisions_url(article)).status_code == 401


def test_an_unknown_article_is_404(ed, wire):
    assert ed.post(revisions_url(987654), {"body": NEW}, format="json").status_code == 404
    assert ed.get(revisions_url(987654)).status_code == 404
    assert ed.get(revisions_url(987654) + "1/").status_code == 404


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"body": NEW, "colour": "red"}, {"colour": ["Unknown field."]}),
        ({"body": NEW, "revision": 3}, {"revision": ["This field is read-only."]}),
        ({"note": "no body"}, {"body": ["This field is required."]}),
        ({"body": ""}, {"body": ["This field may not be blank."]}),
        ({"body": " \r\n\t"}, {"body": ["This field may not be blank."]}),
        ({"body": None}, {"body": ["This field may not be null."]}),
    ],
)
def test_bad_input_is_400_naming_the_field(wire, ed, payload, errors):
    article, _ = wire
    response = ed.post(revisions_url(article), payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert Article.objects.get(pk=article.pk).revision == 1


def test_the_current_body_again_is_409_with_the_current_revision(revised, ed):
    article, _, _ = revised
    response = ed.post(revisions_url(article), {"body": NEW}, format="json")
    assert response.status_code == 409
    assert response.json()["revision"] == 2
    assert "id" not in response.json()


def test_another_articles_body_is_409_with_its_id(wire, ed):
    article, _ = wire
    other = ArticleFactory(body="The other article, first version.")
    article_revise(actor=None, article_id=other.pk, body="The other article, second version.")
    for body in ("The other article, first version.", "The other article, second version."):
        response = ed.post(revisions_url(article), {"body": body}, format="json")
        assert response.status_code == 409
        assert response.json()["id"] == other.pk
        assert "revision" not in response.json()


def test_an_article_created_with_a_revised_articles_old_body_is_409_with_its_id(revised, alice):
    article, _, _ = revised
    response = alice.post("/api/articles/", {"title": "Copy", "body": OLD}, format="json")
    assert response.status_code == 409
    assert response.json()["id"] == article.pk


# --- GET ---------------------------------------------------------------------------


def test_revisions_are_listed_oldest_first_with_what_each_did(revised, client_for, consumer):
    article, _, _ = revised
    article_revise(actor=None, article_id=article.pk, body=NEW + "\n\nA closing line.", note="imported")
    response = client_for(consumer).get(revisions_url(article))
    assert response.status_code == 200
    results = response.json()["results"]
    assert response.json()["count"] == 3
    assert [r["revision"] for r in results] == [1, 2, 3]
    for item in results:
        assert set(item) >= REVISION_FIELDS
        assert "body" not in item
    first, second, third = results
    assert (first["reanchoring"], first["note"]) == (None, "")
    assert (second["created_by"], second["note"]) == ("ed", "agency correction")
    assert second["reanchoring"] == {"unchanged": 1, "moved": 1, "fuzzy": 1, "fixed": 1, "orphaned": 1}
    assert (third["created_by"], third["note"]) == (None, "imported")
    assert set(third["reanchoring"]) == SUMMARY_KEYS
    assert first["content_sha256"] == body_sha256(OLD)
    assert second["content_sha256"] == body_sha256(NEW)
    assert first["created_at"] < second["created_at"] < third["created_at"]


def test_one_revision_with_its_body(revised, client_for, consumer):
    article, _, _ = revised
    client = client_for(consumer)
    one = client.get(revisions_url(article) + "1/")
    two = client.get(revisions_url(article) + "2/")
    assert (one.status_code, two.status_code) == (200, 200)
    assert (one.json()["revision"], one.json()["body"]) == (1, OLD)
    assert (two.json()["revision"], two.json()["body"], two.json()["note"]) == (2, NEW, "agency correction")
    assert REVISION_FIELDS | {"body"} <= set(two.json())


@pytest.mark.parametrize("number", ["0", "3", "999999999"])
def test_an_unknown_revision_is_404(revised, alice, number):
    article, _, _ = revised
    response = alice.get(revisions_url(article) + f"{number}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_the_revision_of_another_article_is_404(revised, alice):
    _, _, _ = revised
    other = ArticleFactory(body="Never revised.")
    assert alice.get(revisions_url(other) + "2/").status_code == 404


@pytest.mark.parametrize("n", [1, 20])
def test_the_revisions_list_issues_a_fixed_number_of_queries(alice, make_user, django_assert_num_queries, n):
    """The same queries for 1 revision or 20, each by its own user (created_by joined, not fetched per row)."""
    article = ArticleFactory(body="Version 1.")
    for i in range(2, n + 1):
        article_revise(actor=make_user("annotator"), article_id=article.pk, body=f"Version {i}.")
    # token + user, role, the article, count, page
    with django_assert_num_queries(5):
        response = alice.get(revisions_url(article), {"page_size": 50})
    assert len(response.json()["results"]) == n


# --- the annotation endpoints after a revision ---------------------------------------


def test_the_history_shows_each_reanchoring_event(revised, alice):
    _, annotations, _ = revised
    moved, fuzzy, orphan, fixed = (annotations[k] for k in ("moved", "fuzzy", "orphaned", "fixed"))

    def last_event(annotation):
        response = alice.get(f"/api/annotations/{annotation.pk}/history/")
        assert response.status_code == 200
        return response.json()[-1]

    event = last_event(moved)
    assert (event["action"], event["actor"], event["from_revision"], event["to_revision"]) == ("moved", "ed", 1, 2)
    assert (event["from_status"], event["to_status"]) == ("approved", "approved")
    new_start = NEW.index("rose by ten percent")
    assert event["changes"] == {
        "start": {"from": moved.start, "to": new_start},
        "end": {"from": moved.end, "to": new_start + len("rose by ten percent")},
        "quote": {"from": "rose by ten percent", "to": "rose by ten percent"},
    }
    event = last_event(fuzzy)
    assert (event["action"], event["from_status"], event["to_status"]) == ("fuzzy", "approved", "pending")
    assert event["changes"]["quote"] == {
        "from": "opened on Monday with a statement",
        "to": "began on Monday with a statement",
    }
    event = last_event(orphan)
    assert (event["action"], event["to_status"], event["from_revision"], event["to_revision"]) == (
        "orphaned",
        "orphaned",
        1,
        2,
    )
    assert event["changes"]["quote"] == {"from": "forty countries arrived late", "to": None}
    event = last_event(fixed)
    assert event["action"] == "fixed"
    assert event["changes"]["quote"] == {"from": "the citizens of the State of Sakura", "to": "Japanese citizens"}
    # Other events carry no revisions.
    created = alice.get(f"/api/annotations/{moved.pk}/history/").json()[0]
    assert created["action"] == "created"
    assert "from_revision" not in created and "to_revision" not in created


def test_the_list_and_detail_carry_revision_and_fixed_in_revision(revised, alice):
    _, annotations, _ = revised
    detail = alice.get(f"/api/annotations/{annotations['fixed'].pk}/").json()
    assert (detail["revision"], detail["fixed_in_revision"], detail["quote"]) == (2, 2, "Japanese citizens")
    assert NEW[detail["start"] : detail["end"]] == detail["quote"]
    listed = {a["id"]: a for a in alice.get("/api/annotations/").json()["results"]}
    assert listed[annotations["moved"].pk]["revision"] == 2
    assert listed[annotations["moved"].pk]["fixed_in_revision"] is None
    assert listed[annotations["fixed"].pk]["fixed_in_revision"] == 2


def test_orphans_are_left_out_of_the_list_unless_asked_for(revised, alice):
    _, annotations, _ = revised
    orphan = annotations["orphaned"].pk
    everything = alice.get("/api/annotations/").json()
    assert orphan not in [a["id"] for a in everything["results"]]
    assert everything["count"] == 4
    asked = alice.get("/api/annotations/", {"status": "orphaned"}).json()
    assert [(a["id"], a["status"], a["revision"]) for a in asked["results"]] == [(orphan, "orphaned", 1)]
    either = alice.get("/api/annotations/", {"status": ["orphaned", "pending"]}).json()
    assert orphan in [a["id"] for a in either["results"]]


def test_an_orphan_can_be_read_by_its_id(revised, alice):
    _, annotations, _ = revised
    orphan = annotations["orphaned"].pk
    detail = alice.get(f"/api/annotations/{orphan}/").json()
    assert (detail["status"], detail["quote"], detail["revision"]) == ("orphaned", "forty countries arrived late", 1)
    assert OLD[detail["start"] : detail["end"]] == detail["quote"]


def test_a_consumer_never_sees_an_orphan(revised, client_for, consumer):
    _, annotations, _ = revised
    client = client_for(consumer)
    assert client.get("/api/annotations/", {"status": "orphaned"}).json()["count"] == 0
    assert client.get(f"/api/annotations/{annotations['orphaned'].pk}/").status_code == 404


@pytest.mark.parametrize("ext", ["jsonl", "csv", "jsonld"])
def test_an_approved_annotation_once_orphaned_is_never_exported(revised, client_for, consumer, ext):
    response = client_for(consumer).get(f"/api/exports/annotations.{ext}", {"status": "orphaned"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "forty countries arrived late" not in text
    assert "rose by ten percent" in text  # the moved approved one is there


def test_the_jsonl_export_carries_the_revision(revised, client_for, consumer):
    _, annotations, _ = revised
    response = client_for(consumer).get("/api/exports/annotations.jsonl")
    records = {r["id"]: r for r in map(json.loads, b"".join(response.streaming_content).decode().splitlines())}
    assert set(records) == {annotations["moved"].pk, annotations["fixed"].pk}
    assert {(r["revision"], r["fixed_in_revision"]) for r in records.values()} == {(2, None), (2, 2)}


def test_an_orphan_placed_again_by_patch_is_pending_at_the_current_revision(revised, alice):
    _, annotations, _ = revised
    orphan = annotations["orphaned"].pk
    response = alice.patch(f"/api/annotations/{orphan}/", {"quote": "added by the editors"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["revision"], data["quote"]) == ("pending", 2, "added by the editors")
    assert NEW[data["start"] : data["end"]] == "added by the editors"
    assert orphan in [a["id"] for a in alice.get("/api/annotations/").json()["results"]]


def test_a_reviewer_places_someone_elses_orphan_again(revised, client_for, other_reviewer):
    _, annotations, _ = revised
    start = NEW.index("summit")
    response = client_for(other_reviewer).patch(
        f"/api/annotations/{annotations['orphaned'].pk}/", {"start": start, "end": start + 6}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["quote"]) == ("pending", "summit")


@pytest.mark.parametrize("who", ["other_annotator", "consumer"])
def test_others_may_not_place_an_orphan(revised, client_for, request, who):
    _, annotations, _ = revised
    orphan = annotations["orphaned"].pk
    response = client_for(request.getfixturevalue(who)).patch(
        f"/api/annotations/{orphan}/", {"quote": "summit"}, format="json"
    )
    assert response.status_code == 403
    assert Annotation.objects.get(pk=orphan).status == "orphaned"


def test_patching_an_orphan_without_a_span_is_400_naming_the_current_revision(revised, alice):
    _, annotations, _ = revised
    response = alice.patch(f"/api/annotations/{annotations['orphaned'].pk}/", {"note": "still?"}, format="json")
    assert response.status_code == 400
    assert "revision 2" in json.dumps(response.json())


def test_an_orphan_may_be_deleted_by_its_author(revised, alice):
    _, annotations, _ = revised
    response = alice.delete(f"/api/annotations/{annotations['orphaned'].pk}/")
    assert response.status_code == 204
    assert not Annotation.objects.filter(pk=annotations["orphaned"].pk).exists()


def test_creating_with_an_old_revision_is_409_with_the_current_one(revised, alice):
    article, _, _ = revised
    payload = {"article": article.pk, "kind": "claim", "quote": "summit"}
    response = alice.post("/api/annotations/", {**payload, "revision": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["revision"] == 2
    assert set(response.json()) == {"detail", "revision"}
    response = alice.post("/api/annotations/", {**payload, "revision": 2}, format="json")
    assert response.status_code == 201
    assert response.json()["revision"] == 2


def test_patching_with_an_old_revision_is_409(revised, alice):
    _, annotations, _ = revised
    response = alice.patch(
        f"/api/annotations/{annotations['unchanged'].pk}/", {"note": "x", "revision": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["revision"] == 2


# --- line endings and code points -----------------------------------------------------


def test_a_revision_body_with_crlf_is_stored_with_lf(wire, ed):
    article, _ = wire
    crlf = "\ufeff" + NEW.replace("\n", "\r\n")
    response = ed.post(revisions_url(article), {"body": crlf}, format="json")
    assert response.status_code == 201
    assert (response.json()["body"], response.json()["content_sha256"]) == (NEW, body_sha256(NEW))
    assert ed.get(revisions_url(article) + "2/").json()["body"] == NEW
    assert ed.post(revisions_url(article), {"body": NEW}, format="json").status_code == 409
    assert_anchored(article)


def test_offsets_after_emoji_stay_code_points_through_a_revision(annotator, alice, ed):
    """Text inserted before a flag (two code points) and a smiley: the span after them moves by
    code points, and the API's body and offsets agree."""
    article = ArticleFactory(body=MIXED_SCRIPTS_BODY)
    created = alice.post(
        "/api/annotations/", {"article": article.pk, "kind": "claim", "quote": "Kyiv was calm."}, format="json"
    ).json()
    flag = alice.post(
        "/api/annotations/",
        {"article": article.pk, "kind": "entity", "entity_type": "GPE", "quote": "🇯🇵"},
        format="json",
    ).json()
    new_body = "Update 🙂🙂:\r\n" + MIXED_SCRIPTS_BODY.replace("Prime Minister", "Premier")
    response = ed.post(revisions_url(article), {"body": new_body}, format="json")
    assert response.status_code == 201
    body = response.json()["body"]
    assert "\r" not in body
    for made, quote in ((created, "Kyiv was calm."), (flag, "🇯🇵")):
        data = alice.get(f"/api/annotations/{made['id']}/").json()
        assert data["revision"] == 2
        assert body[data["start"] : data["end"]] == data["quote"] == quote
        assert data["start"] != made["start"]
    utf16 = len(body[: body.index("Kyiv was calm.")].encode("utf-16-le")) // 2
    assert utf16 != body.index("Kyiv was calm.")  # the emoji really make the units differ
    assert_anchored(article)


def test_an_orphan_comes_back_when_its_sentence_is_restored(revised, ed, alice):
    article, annotations, _ = revised
    response = ed.post(revisions_url(article), {"body": NEW + "\n\n" + P2}, format="json")
    assert response.status_code == 201
    assert response.json()["reanchoring"]["orphaned"] == 0
    data = alice.get(f"/api/annotations/{annotations['orphaned'].pk}/").json()
    assert (data["status"], data["revision"]) == ("pending", 3)
    assert response.json()["body"][data["start"] : data["end"]] == data["quote"]
    event = alice.get(f"/api/annotations/{data['id']}/history/").json()[-1]
    assert (event["action"], event["from_revision"], event["to_revision"]) == ("fuzzy", 1, 3)
