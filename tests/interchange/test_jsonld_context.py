"""The JSON-LD export read as JSON-LD: expanded with the Web Annotation context (kept in
tests/interchange/w3c/, nothing fetched) and the export's own, Copydesk's terms become IRIs of
its namespace with their types, and none of them redefines a Web Annotation term."""

import json
from pathlib import Path

import pytest
from pyld import jsonld

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ANNO = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTEXT = json.loads((Path(__file__).parent / "w3c" / "anno.jsonld").read_text())
NS = "https://w3id.org/copydesk/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"


def local_anno(url, options=None):
    """pyld's document loader: the Web Annotation context from the repository, nothing from the network."""
    if url == ANNO:
        return {"contextUrl": None, "documentUrl": url, "document": ANNO_CONTEXT}
    raise AssertionError(f"the export made the processor fetch {url}")


def annotations_of(node) -> list[dict]:
    """Every expanded node typed oa:Annotation, however deep."""
    if isinstance(node, list):
        return [found for item in node for found in annotations_of(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if f"{OA}Annotation" in node.get("@type", []) else []
    return found + [annotation for value in node.values() for annotation in annotations_of(value)]


def test_copydesks_terms_expand_to_its_namespace(
    client_for, consumer, annotator, reviewer, make_annotation, w3c_validator
):
    """And the W3C working group's must-checks still pass on the collection that carries them."""
    article = ArticleFactory(body="Kishida said the talks were long.", url="https://news.example/東京?a=\\")
    approve = {"status": "approved", "reviewed_by": reviewer}
    made = [
        make_annotation(annotator, article, quote="the talks were long", claimant="Kishida", rating="mixed",
                        rating_explanation="Some were.", claim_date="2025-06-01", **approve),
        make_annotation(annotator, article, kind="entity", entity_type="PERSON", quote="Kishida", origin="machine",
                        model="ner", confidence=0.93, **approve),
    ]  # fmt: skip
    document = json.loads(b"".join(client_for(consumer).get("/api/exports/annotations.jsonld").streaming_content))
    assert document["@context"][0] == ANNO
    assert not set(document["@context"][1]) & set(ANNO_CONTEXT["@context"])  # the model's Extensions forbid it
    assert w3c_validator.document_errors(document) == []

    expanded = {node["@id"]: node for node in annotations_of(jsonld.expand(document, {"documentLoader": local_anno}))}
    claim, entity = (expanded[f"http://testserver/api/annotations/{annotation.pk}/"] for annotation in made)
    assert claim[f"{NS}claimant"] == [{"@value": "Kishida"}]
    assert claim[f"{NS}ratingExplanation"] == [{"@value": "Some were."}]
    assert claim[f"{NS}claimDate"] == [{"@value": "2025-06-01", "@type": f"{XSD}date"}]
    assert entity[f"{NS}confidence"] == [{"@value": 0.93, "@type": f"{XSD}double"}]
    for annotation in (claim, entity):
        (target,) = annotation[f"{OA}hasTarget"]
        assert target[f"{NS}articleUrl"] == [{"@value": "https://news.example/東京?a=\\", "@type": f"{XSD}anyURI"}]
        assert target[f"{OA}hasSource"][0]["@id"].endswith(f"/api/articles/{article.pk}/revisions/1/")
