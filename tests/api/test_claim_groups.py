"""Similar claims across articles, and claim groups: link, unlink, merge, history, the feed."""

import pytest

from annotations.domain.similarity import similarity
from annotations.models import AnnotationEvent, Change, ClaimGroup
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/api/annotations/"
SAID = {
    "kyodo": "Japan will accept people fleeing Ukraine as refugees, Prime Minister Fumio Kishida said.",
    "voi": "Japan is ready to accept people fleeing Ukraine, Kishida said on Wednesday.",
    "agency": "The weather in Tokyo was mild on Wednesday; Japan is ready.",
}


@pytest.fixture
def claims(annotator):
    made = {}
    for name, text in SAID.items():
        article = ArticleFactory(title=name, body=text)
        made[name] = annotation_create(
            actor=annotator, article=article, kind="claim", quote=text.split(",")[0], claimant="Fumio Kishida"
        )
    return made


def test_similar_claims_come_most_similar_first_from_other_articles(client_for, annotator, claims):
    same_article = annotation_create(
        actor=annotator, article=claims["kyodo"].article, kind="claim", quote="Prime Minister Fumio Kishida said"
    )
    response = client_for(annotator).get(f"{URL}{claims['kyodo'].pk}/similar/")
    assert response.status_code == 200
    results = response.json()["results"]
    # The agency's claim shares only "Japan" with Kyodo's, not one of its rarest words (by length,
    # without statistics: "refugees", "fleeing", "ukraine", "accept"): not the same claim.
    assert [r["id"] for r in results] == [claims["voi"].pk]
    assert same_article.pk not in [r["id"] for r in results]
    expected = 0.8 * similarity(claims["kyodo"].quote, claims["voi"].quote) + 0.2  # the same claimant: 1.0
    assert results[0]["similarity"] == pytest.approx(expected, abs=1e-4)
    assert set(results[0]) >= {"id", "quote", "claim_group", "similarity"}


def test_consumers_see_only_approved_similar_claims(client_for, consumer, annotator, reviewer, claims):
    annotation_approve(actor=reviewer, annotation_id=claims["kyodo"].pk)
    url = f"{URL}{claims['kyodo'].pk}/similar/"
    assert [r["id"] for r in client_for(annotator).get(url).json()["results"]] == [claims["voi"].pk]
    assert client_for(consumer).get(url).json()["results"] == []  # VOI's is still pending
    annotation_approve(actor=reviewer, annotation_id=claims["voi"].pk)
    assert [r["id"] for r in client_for(consumer).get(url).json()["results"]] == [claims["voi"].pk]


def test_only_claims_have_similar_claims(client_for, annotator, article):
    entity = annotation_create(
        actor=annotator, article=article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"
    )
    response = client_for(annotator).get(f"{URL}{entity.pk}/similar/")
    assert response.status_code == 400 and "kind" in response.json()
    assert client_for(annotator).get(f"{URL}{entity.pk}/similar/", {"limit": "0"}).status_code == 400


def test_linking_puts_claims_in_one_group_and_unlinking_takes_them_out(client_for, annotator, claims):
    client = client_for(annotator)
    kyodo, voi, agency = claims["kyodo"], claims["voi"], claims["agency"]
    linked = client.post(f"{URL}{kyodo.pk}/link/", {"to": voi.pk}, format="json")
    assert linked.status_code == 200
    group = linked.json()["claim_group"]
    assert group is not None and client.get(f"{URL}{voi.pk}/").json()["claim_group"] == group
    client.post(f"{URL}{agency.pk}/link/", {"to": voi.pk}, format="json")
    assert {client.get(f"{URL}{c.pk}/").json()["claim_group"] for c in claims.values()} == {group}
    history = [e["action"] for e in client.get(f"{URL}{agency.pk}/history/").json()]
    assert history == ["created", "linked"]

    client.post(f"{URL}{agency.pk}/unlink/")
    assert client.get(f"{URL}{agency.pk}/").json()["claim_group"] is None
    # Two left: unlinking one dissolves the group (a group of one links nothing).
    client.post(f"{URL}{kyodo.pk}/unlink/")
    assert [client.get(f"{URL}{c.pk}/").json()["claim_group"] for c in claims.values()] == [None, None, None]
    assert not ClaimGroup.objects.exists()
    event = AnnotationEvent.objects.filter(annotation=voi, action="unlinked").get()
    assert event.changes == {"claim_group": {"from": group, "to": None}}


def test_linking_members_of_two_groups_merges_them(client_for, annotator, claims):
    client = client_for(annotator)
    other = ArticleFactory(title="other", body="Kishida said Japan would take in people fleeing Ukraine.")
    fourth = annotation_create(actor=annotator, article=other, kind="claim", quote="Japan would take in people")
    client.post(f"{URL}{claims['kyodo'].pk}/link/", {"to": claims["voi"].pk}, format="json")
    client.post(f"{URL}{claims['agency'].pk}/link/", {"to": fourth.pk}, format="json")
    client.post(f"{URL}{claims['voi'].pk}/link/", {"to": fourth.pk}, format="json")
    groups = {client.get(f"{URL}{pk}/").json()["claim_group"] for pk in [*(c.pk for c in claims.values()), fourth.pk]}
    assert len(groups) == 1 and None not in groups and ClaimGroup.objects.count() == 1


@pytest.mark.parametrize("target", ["self", "entity", "missing"])
def test_what_cannot_be_linked_is_refused(client_for, annotator, claims, target):
    kyodo = claims["kyodo"]
    to = {
        "self": kyodo.pk,
        "entity": annotation_create(
            actor=annotator, article=kyodo.article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"
        ).pk,
        "missing": 999999,
    }[target]
    response = client_for(annotator).post(f"{URL}{kyodo.pk}/link/", {"to": to}, format="json")
    assert response.status_code == (404 if target == "missing" else 400)
    assert not ClaimGroup.objects.exists()


def test_consumers_cannot_link(client_for, consumer, reviewer, claims):
    for claim in claims.values():
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    response = client_for(consumer).post(f"{URL}{claims['kyodo'].pk}/link/", {"to": claims["voi"].pk}, format="json")
    assert response.status_code == 403


def test_linking_approved_claims_tells_the_feed(client_for, annotator, reviewer, claims):
    for claim in claims.values():
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    client_for(annotator).post(f"{URL}{claims['kyodo'].pk}/link/", {"to": claims["voi"].pk}, format="json")
    updates = Change.objects.filter(type="annotation.updated").order_by("id")
    assert {c.annotation_id for c in updates} == {claims["kyodo"].pk, claims["voi"].pk}
    assert {c.record["claim_group"] for c in updates} == {ClaimGroup.objects.get().pk}


def test_a_linked_claim_keeps_its_kind_until_unlinked(client_for, annotator, claims):
    client = client_for(annotator)
    client.post(f"{URL}{claims['kyodo'].pk}/link/", {"to": claims["voi"].pk}, format="json")
    changed = client.patch(f"{URL}{claims['kyodo'].pk}/", {"kind": "entity", "entity_type": "PERSON"}, format="json")
    assert changed.status_code == 409 and "unlink it" in changed.json()["detail"]
    client.post(f"{URL}{claims['kyodo'].pk}/unlink/")
    entity = {"kind": "entity", "entity_type": "PERSON", "claimant": None}
    retyped = client.patch(f"{URL}{claims['kyodo'].pk}/", entity, format="json")
    assert retyped.status_code == 200
