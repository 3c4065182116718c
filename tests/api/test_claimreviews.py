"""GET /api/exports/claimreviews.jsonld: one schema.org ClaimReview per approved, rated claim, with
every property Google's fact-check documentation marks required or recommended, expanded as
JSON-LD with schema.org's context (kept in tests/interchange/schemaorg/, never fetched)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyld import jsonld

from annotations.services.annotations import annotation_create
from annotations.services.claims import claims_link
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/api/exports/claimreviews.jsonld"
SCHEMA = "http://schema.org/"  # the context's @vocab
CONTEXT = json.loads((Path(__file__).parents[1] / "interchange" / "schemaorg" / "context.jsonld").read_text())
KYODO = "Japan will accept people fleeing Ukraine, Prime Minister Fumio Kishida said."
VOI = "Japan will accept people fleeing Ukraine, said the State of Sakura's Prime Minister Kishida."


def local_schema_org(url, options=None):
    """pyld's document loader: schema.org's context from the repository, nothing from the network."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}
    raise AssertionError(f"the export made the processor fetch {url}")


@pytest.fixture
def reviewed(annotator, reviewer):
    """Kishida's claim as Kyodo (published first) and VOI report it, linked, both approved and
    rated; beside them claims that no review may show: unrated, pending, rejected."""
    kyodo = ArticleFactory(
        title="Japan to accept Ukrainians",
        body=KYODO + " Ministry of Foreign Affairs officials agreed.",
        source="Kyodo News",
        url="https://english.kyodonews.net/news/2022/03/ukraine",
        published_at=datetime(2022, 3, 2, 9, 0, tzinfo=UTC),
    )
    voi = ArticleFactory(
        title="Sakura opens its doors",
        body=VOI,
        source="VOI",
        url="",
        published_at=datetime(2022, 3, 3, 1, 0, tzinfo=UTC),
    )

    def claim(article, quote, **fields):
        return annotation_create(actor=annotator, article=article, kind="claim", quote=quote, **fields)

    made = {
        "kyodo": claim(
            kyodo,
            "Japan will accept people fleeing Ukraine",
            claimant="Fumio Kishida",
            rating="true",
            rating_explanation="Kishida said so on 2 March 2022 (Kyodo).",
            claim_date="2022-03-02",
        ),
        "voi": claim(voi, "Japan will accept people fleeing Ukraine", claimant="Kishida", rating="mostly_true"),
        "ministry": claim(kyodo, "officials agreed", claimant="Ministry of Foreign Affairs", rating="unverifiable"),
        "unrated": claim(voi, "Prime Minister Kishida"),
        "pending": claim(kyodo, "Prime Minister Fumio Kishida said", rating="false"),
        "rejected": claim(voi, "the State of Sakura", rating="false"),
    }
    ministry = annotation_create(
        actor=annotator, article=kyodo, kind="entity", quote="Ministry of Foreign Affairs", entity_type="ORG"
    )
    for name in ("kyodo", "voi", "ministry", "unrated"):
        annotation_approve(actor=reviewer, annotation_id=made[name].pk)
    annotation_approve(actor=reviewer, annotation_id=ministry.pk)
    annotation_reject(actor=reviewer, annotation_id=made["rejected"].pk, comment="Not a claim.")
    claims_link(actor=annotator, annotation_id=made["kyodo"].pk, to=made["voi"].pk)
    return made


def export(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    document = json.loads(b"".join(response.streaming_content))
    return response, document


def by_claim(document) -> dict[int, dict]:
    return {int(review["@id"].rstrip("/").rsplit("/", 1)[1]): review for review in document["@graph"]}


def test_only_approved_rated_claims_are_reviewed(client_for, consumer, reviewed):
    response, document = export(client_for(consumer))
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claimreviews.jsonld"'
    assert response["Copydesk-Record-Count"] == "3"
    assert document["@context"] == "https://schema.org"
    assert set(by_claim(document)) == {reviewed[name].pk for name in ("kyodo", "voi", "ministry")}


def test_a_review_carries_what_google_requires_and_recommends(client_for, consumer, reviewed, settings):
    settings.CLAIMREVIEW_AUTHOR_NAME = "Copydesk Fact Check"
    settings.CLAIMREVIEW_AUTHOR_URL = "https://factcheck.example/"
    settings.CLAIMREVIEW_URL = "https://factcheck.example/claims/{id}"
    _, document = export(client_for(consumer))
    claim = reviewed["kyodo"]
    claim.refresh_from_db()
    review = by_claim(document)[claim.pk]
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"https://factcheck.example/claims/{claim.pk}"
    assert review["claimReviewed"] == "Japan will accept people fleeing Ukraine"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "True",
        "name": "True",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["reviewBody"] == "Kishida said so on 2 March 2022 (Kyodo)."
    assert review["author"] == {
        "@type": "Organization",
        "name": "Copydesk Fact Check",
        "url": "https://factcheck.example/",
    }
    assert review["datePublished"] == claim.reviewed_at.date().isoformat()
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Fumio Kishida"}
    assert item["datePublished"] == "2022-03-02"
    # Where the claim or its linked claim appears, the earliest published first: VOI has no url
    # of its own, so its API address stands in.
    kyodo_article, voi_article = claim.article, reviewed["voi"].article
    assert item["appearance"] == [
        {
            "@type": "NewsArticle",
            "url": "https://english.kyodonews.net/news/2022/03/ukraine",
            "headline": "Japan to accept Ukrainians",
            "datePublished": "2022-03-02T09:00:00Z",
            "publisher": {"@type": "Organization", "name": "Kyodo News"},
        },
        {
            "@type": "NewsArticle",
            "url": f"http://testserver/api/articles/{voi_article.pk}/",
            "headline": "Sakura opens its doors",
            "datePublished": "2022-03-03T01:00:00Z",
            "publisher": {"@type": "Organization", "name": "VOI"},
        },
    ]
    assert item["firstAppearance"] == item["appearance"][0]
    assert by_claim(document)[reviewed["voi"].pk]["itemReviewed"]["appearance"] == item["appearance"]
    assert kyodo_article.pk != voi_article.pk


def test_an_unverifiable_claim_has_no_place_on_the_scale(client_for, consumer, reviewed):
    _, document = export(client_for(consumer))
    review = by_claim(document)[reviewed["ministry"].pk]
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable", "name": "Unverifiable"}
    # An approved ORG entity names the claimant: an Organization. No claim date: none given.
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Ministry of Foreign Affairs"}
    assert "datePublished" not in review["itemReviewed"]
    # The review's url defaults to the claim's address in the API.
    assert review["url"] == f"http://testserver/api/annotations/{reviewed['ministry'].pk}/"


def test_each_review_expands_with_schema_orgs_own_terms(client_for, consumer, reviewed):
    """Expanded with schema.org's context, every review keeps the required and recommended
    properties as schema.org IRIs; every term the export uses is one schema.org defines."""
    _, document = export(client_for(consumer))
    expanded = jsonld.expand(document, {"documentLoader": local_schema_org})
    reviews = [node for node in expanded if f"{SCHEMA}ClaimReview" in node.get("@type", [])]
    assert len(reviews) == 3
    for review in reviews:
        for name in ("claimReviewed", "reviewRating", "url", "author", "datePublished", "itemReviewed"):
            assert f"{SCHEMA}{name}" in review, name
        (rating,) = review[f"{SCHEMA}reviewRating"]
        assert f"{SCHEMA}alternateName" in rating
        (item,) = review[f"{SCHEMA}itemReviewed"]
        assert item["@type"] == [f"{SCHEMA}Claim"]
        for name in ("appearance", "firstAppearance", "author"):
            assert f"{SCHEMA}{name}" in item, name
        assert review[f"{SCHEMA}url"][0]["@id"].startswith("http")  # an IRI, as the context types url
    terms = set(CONTEXT["@context"])

    def used(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.startswith("@"):
                    yield key
                if key == "@type":
                    yield value
                yield from used(value)
        elif isinstance(node, list):
            for value in node:
                yield from used(value)

    assert set(used(document["@graph"])) <= terms


def test_the_lists_filters_apply(client_for, consumer, reviewed):
    _, document = export(client_for(consumer), article=reviewed["voi"].article_id)
    assert set(by_claim(document)) == {reviewed["voi"].pk}
    response = client_for(consumer).get(URL, {"kind": "bogus"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_an_empty_export_is_an_empty_graph(client_for, consumer, db):
    response, document = export(client_for(consumer))
    assert document == {"@context": "https://schema.org", "@graph": []}
    assert response["Copydesk-Record-Count"] == "0"


def test_queries_do_not_grow_with_the_claims(client_for, consumer, annotator, reviewer, reviewed):
    """Appearances and claimants' types are read a chunk of claims at a time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(consumer)
    with CaptureQueriesContext(connection) as few:
        export(client)
    article = ArticleFactory(body=" ".join(f"Claim number {n} is here." for n in range(12)))
    for n in range(12):
        made = annotation_create(
            actor=annotator, article=article, kind="claim", quote=f"Claim number {n} is here", rating="false"
        )
        annotation_approve(actor=reviewer, annotation_id=made.pk)
        claims_link(actor=annotator, annotation_id=made.pk, to=reviewed["kyodo"].pk)
    with CaptureQueriesContext(connection) as many:
        _, document = export(client)
    assert len(document["@graph"]) == 15
    assert len(many) == len(few)
