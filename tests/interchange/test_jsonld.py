"""interchange/jsonld.py: an export record as a W3C Web Annotation. No database."""

from annotations.interchange.jsonld import Iris, web_annotation

IRIS = Iris(
    collection="https://cd.example/api/exports/annotations.jsonld",
    annotations="https://cd.example/api/annotations/",
    articles="https://cd.example/api/articles/",
)
RECORD = {
    "id": 7,
    "article": 3,
    "kind": "translation_artifact",
    "start": 10,
    "end": 19,
    "quote": "Зеленский",
    "entity_type": None,
    "artifact_type": "untranslated",
    "suggested_correction": "Zelensky",
    "claimant": "",
    "note": "Left in Cyrillic.",
    "created_by": "alice",
    "created_at": "2026-01-02T03:04:05Z",
    "updated_at": "2026-01-02T03:04:06.500000Z",
    "prefix": "met ",
    "suffix": " in Kyiv",
    "revision": 2,
    "severity": "major",
    "rating": None,
    "mqm_error_type": "Accuracy/Untranslated",
    "origin": "human",
    "model": "",
    "confidence": None,
    "rating_explanation": "",
    "claim_date": None,
    "url": "",
}


def test_a_record_becomes_a_web_annotation():
    """Kind and type as tags, the severity as an assessment and the MQM error type as a
    classification, the note as a comment, the correction as an edit, the span as quote and position."""
    assert web_annotation(RECORD, IRIS) == {
        "id": "https://cd.example/api/annotations/7/",
        "type": "Annotation",
        "motivation": "tagging",
        "created": "2026-01-02T03:04:05Z",
        "modified": "2026-01-02T03:04:06.500000Z",
        "creator": {"type": "Person", "nickname": "alice"},
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "translation_artifact"},
            {"type": "TextualBody", "purpose": "tagging", "value": "untranslated"},
            {"type": "TextualBody", "purpose": "assessing", "value": "major"},
            {"type": "TextualBody", "purpose": "classifying", "value": "Accuracy/Untranslated"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Left in Cyrillic."},
            {"type": "TextualBody", "purpose": "editing", "value": "Zelensky"},
        ],
        "target": {
            "source": "https://cd.example/api/articles/3/revisions/2/",
            "scope": "https://cd.example/api/articles/3/",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "Зеленский", "prefix": "met ", "suffix": " in Kyiv"},
                {"type": "TextPositionSelector", "start": 10, "end": 19},
            ],
        },
    }


def test_empty_context_and_optional_bodies_are_left_out():
    """At the very start or end of a body there is no prefix or suffix; a bare claim has one tag."""
    claim = {**RECORD, "kind": "claim", "artifact_type": None, "suggested_correction": "", "note": ""}
    claim.update(severity=None, mqm_error_type=None)
    annotation = web_annotation({**claim, "prefix": "", "suffix": ""}, IRIS)
    assert annotation["body"] == [{"type": "TextualBody", "purpose": "tagging", "value": "claim"}]
    rated = web_annotation({**claim, "rating": "mostly_false"}, IRIS)
    assert rated["body"][1:] == [{"type": "TextualBody", "purpose": "assessing", "value": "mostly_false"}]
    assert annotation["target"]["selector"][0] == {"type": "TextQuoteSelector", "exact": "Зеленский"}


def test_iris_are_made_absolute_from_the_api_paths():
    iris = Iris.of(collection="https://cd.example/x.jsonld", absolute=lambda path: f"https://cd.example{path}")
    assert iris == Iris(
        collection="https://cd.example/x.jsonld",
        annotations="https://cd.example/api/annotations/",
        articles="https://cd.example/api/articles/",
    )


def test_a_machine_suggestion_is_made_by_software():
    """Its creator is the model, with the account that ran it as the nickname."""
    suggested = web_annotation({**RECORD, "origin": "machine", "model": "mt-qe 2.1", "confidence": 0.82}, IRIS)
    assert suggested["creator"] == {"type": "Software", "name": "mt-qe 2.1", "nickname": "alice"}
    imported = web_annotation({**RECORD, "origin": "import"}, IRIS)
    assert imported["creator"] == {"type": "Person", "nickname": "alice"}


def test_what_the_w3c_has_no_term_for_is_written_with_copydesks_terms():
    """The article's url on the target; a claim's claimant, explanation and date and a
    suggestion's confidence after it, each only when filled (a confidence of 0 is one)."""
    claim = {**RECORD, "kind": "claim", "artifact_type": None, "severity": None, "mqm_error_type": None}
    claim.update(claimant="Kishida", rating="mixed", rating_explanation="Some were.", claim_date="2025-06-01")
    annotation = web_annotation({**claim, "url": "https://news.example/東京?a=1&b=\\"}, IRIS)
    assert annotation["target"]["articleUrl"] == "https://news.example/東京?a=1&b=\\"
    assert list(annotation)[-4:] == ["target", "claimant", "ratingExplanation", "claimDate"]
    assert (annotation["claimant"], annotation["ratingExplanation"], annotation["claimDate"]) == (
        "Kishida",
        "Some were.",
        "2025-06-01",
    )
    machine = web_annotation({**RECORD, "origin": "machine", "model": "m", "confidence": 0.0}, IRIS)
    assert machine["confidence"] == 0.0
    plain = web_annotation(RECORD, IRIS)
    assert not {"articleUrl"} & set(plain["target"])
    assert not {"claimant", "ratingExplanation", "claimDate", "confidence"} & set(plain)
