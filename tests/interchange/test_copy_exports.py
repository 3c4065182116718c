"""CSV and JSON-LD on PostgreSQL: the files COPY streams are the bytes the Python path writes, on
awkward data (every kind and origin, quotes, backslashes, line breaks, formula starts, emoji,
floats, empty context), filters and order kept."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.http import QueryDict

from annotations.domain.records import EXPORT_FIELDS
from annotations.interchange.csv import csv_lines, csv_lines_postgres
from annotations.interchange.jsonld import (
    Iris,
    jsonld_blocks_postgres,
    jsonld_texts,
    web_annotation,
    web_annotation_lines_postgres,
)
from annotations.interchange.records import records
from annotations.models import Annotation, Article
from annotations.selectors.annotations import annotations_for_export
from annotations.services.claims import claims_link
from tests.factories import ArticleFactory, UserFactory, span_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

IRIS = Iris(
    collection="https://cd.example/api/exports/annotations.jsonld?kind=claim&q=%22x%22",
    annotations="https://cd.example/api/annotations/",
    articles="https://cd.example/api/articles/",
)
AWKWARD = 'C:\\temp\\ "quoted", \\n not a newline\ttab\r\nCRLF \x01\x1f\x7f \u2028 🇯🇵🙂 \\.'
BODY = (
    'Fumio Kishida met Зеленский in Kyiv 🙂, said "=SUM(A1)" and -5 % twice,\nthen left.\n'
    "@handle wrote +1 and\ttabbed; the e\u0301nd"
)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: COPY")


@pytest.fixture
def awkward(make_annotation):
    """Approved annotations of every kind and origin, with text that a CSV or JSON writer must
    quote or escape, cells a spreadsheet would run, floats and dates, context empty at each end."""
    annotator = UserFactory(role="annotator", username="+plus")
    reviewer = UserFactory(role="reviewer", username="@bob")
    article = ArticleFactory(title=f'Title, "quoted"\n{AWKWARD}', body=BODY, url="https://x.example/?a=1&b=\\")
    Article.objects.filter(pk=article.pk).update(published_at=datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=UTC))
    other = ArticleFactory(
        title="=cmd|' /C calc'!A0", body="Plain text, with nothing = odd.", url='https://ja.example/東京/"q"\u2028'
    )
    made = []

    def approved(article, comment="", **fields):
        made.append(
            make_annotation(
                annotator, article, status="approved", reviewed_by=reviewer, review_comment=comment, **fields
            )
        )

    approved(
        article,
        "+ok",
        kind="entity",
        entity_type="PERSON",
        quote="Fumio Kishida",  # at the very start: no prefix
        origin="machine",
        model='spacy "ner" 3.8',
        confidence=1.0,
    )
    approved(
        article,
        AWKWARD,
        quote='"=SUM(A1)"',
        claimant="@someone",
        rating="mostly_false",
        rating_explanation='=HYPERLINK("x")',
        claim_date=date(999, 1, 2),
        note=f"Said twice,\r\nreally\n{AWKWARD}",
        origin="machine",
        confidence=0.0,  # an unnamed model
    )
    approved(
        article,
        "\rcarriage",
        kind="translation_artifact",
        artifact_type="untranslated",
        severity="major",
        quote="Зеленский",
        suggested_correction="-Zelensky",
        note="\\.",
    )
    approved(article, "-", quote="-5 % twice,\nthen", origin="machine", model="m", confidence=0.1 + 0.2)
    approved(article, kind="entity", entity_type="CARDINAL", quote="+1", origin="machine", model="m", confidence=1e-05)
    approved(article, "\ttab", kind="entity", entity_type="ORG", quote="@handle", origin="import")
    approved(article, kind="translation_artifact", artifact_type="encoding", quote="e\u0301nd")  # at the very end
    approved(other, quote="nothing = odd", origin="machine", model="🙂 model", confidence=0.5)
    approved(other, kind="entity", entity_type="ORG", **span_of(other.body, "Plain"))
    claims_link(actor=annotator, annotation_id=made[1].pk, to=made[7].pk)
    made.append(make_annotation(annotator, article, quote="Kyiv"))  # pending: in no export
    return [Annotation.objects.get(pk=annotation.pk) for annotation in made[:-1]]


def exports(query: str = ""):
    return annotations_for_export(params=QueryDict(query))


QUERIES = ["", "ordering=-created_at", "kind=claim&kind=translation_artifact&ordering=-id", "q=e"]


@pytest.mark.parametrize("query", QUERIES)
def test_postgres_csv_is_the_python_csv_byte_for_byte(awkward, query):
    """COPY's CSV, formulas neutralised in SQL and record ends made CRLF, is the file Python's
    csv module writes: the same bytes, so the same rows."""
    from_sql = b"".join(csv_lines_postgres(exports(query)))
    from_python = "".join(csv_lines(exports(query))).encode()
    assert from_sql == from_python
    rows = list(csv.reader(io.StringIO(from_sql.decode(), newline="")))
    assert rows[0] == list(EXPORT_FIELDS)
    assert [int(row[0]) for row in rows[1:]] == [record["id"] for record in records(exports(query))]


def test_postgres_csv_cells(awkward):
    """What each awkward value becomes in a cell: read back by Python's csv module."""
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_lines_postgres(exports())).decode(), newline="")))
    assert len(rows) == 9
    person, claim, artifact, crlf, tiny, imported, end, *_ = rows
    assert (person["prefix"], person["confidence"], person["model"]) == ("", "1.0", 'spacy "ner" 3.8')
    assert (person["review_comment"], person["created_by"], person["reviewed_by"]) == ("'+ok", "'+plus", "'@bob")
    assert person["published_at"] == "2025-03-04T05:06:07.000890Z"
    assert person["article_title"] == f'Title, "quoted"\n{AWKWARD}'
    assert (claim["quote"], claim["claimant"], claim["rating_explanation"]) == (
        '"=SUM(A1)"',
        "'@someone",
        '\'=HYPERLINK("x")',
    )
    assert (claim["claim_date"], claim["confidence"], claim["model"], claim["claim_group"]) == (
        "0999-01-02",
        "0.0",
        "",
        str(awkward[1].claim_group_id),
    )
    assert claim["note"] == f"Said twice,\r\nreally\n{AWKWARD}"  # line breaks kept as they were
    assert (artifact["suggested_correction"], artifact["note"], artifact["review_comment"]) == (
        "'-Zelensky",
        "\\.",
        "'\rcarriage",
    )
    assert (artifact["mqm_error_type"], artifact["severity"], artifact["entity_type"]) == (
        "Accuracy/Untranslated",
        "major",
        "",
    )
    assert (crlf["quote"], crlf["confidence"], crlf["review_comment"]) == (
        "'-5 % twice,\nthen",
        "0.30000000000000004",
        "'-",
    )
    assert (tiny["quote"], tiny["confidence"]) == ("'+1", "1e-05")
    assert (imported["quote"], imported["origin"], imported["review_comment"]) == ("'@handle", "import", "'\ttab")
    assert end["suffix"] == "" and end["quote"] == "e\u0301nd"
    assert rows[7]["article_title"] == "'=cmd|' /C calc'!A0" and rows[7]["published_at"] == ""


def test_postgres_csv_ends_records_with_crlf_and_keeps_line_breaks_in_cells(awkward):
    """Every record ends with CRLF; an LF or CRLF inside a quoted cell is what the text holds."""
    text = b"".join(csv_lines_postgres(exports())).decode()
    assert text.endswith("\r\n")
    assert '"Said twice,\r\nreally\nC:\\temp\\ ""quoted"", ' in text
    outside_quotes = text.split('"')[::2]  # no quote is open at a record's end
    assert not any("\n" in part.replace("\r\n", "") for part in outside_quotes)


@pytest.mark.parametrize("query", QUERIES)
def test_postgres_web_annotations_are_the_python_ones(awkward, query):
    """Each item PostgreSQL builds is web_annotation() of the record, to the byte."""
    lines = list(web_annotation_lines_postgres(exports(query), IRIS))
    expected = [web_annotation(record, IRIS) for record in records(exports(query))]
    assert [json.loads(line) for line in lines] == expected
    assert b"".join(lines).decode() == "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in expected)


def test_postgres_web_annotations_of_every_kind_and_origin(awkward):
    """The optional parts: bodies present only for filled fields, no empty context, the creator."""
    items = {
        int(item["id"].split("/")[-2]): item for item in map(json.loads, web_annotation_lines_postgres(exports(), IRIS))
    }
    person, claim, artifact, *_, end, machine_other, plain = (items[annotation.pk] for annotation in awkward)
    assert person["creator"] == {"type": "Software", "name": 'spacy "ner" 3.8', "nickname": "+plus"}
    assert claim["creator"] == {"type": "Software", "name": "an unnamed model", "nickname": "+plus"}
    assert artifact["creator"] == {"type": "Person", "nickname": "+plus"}
    assert "prefix" not in person["target"]["selector"][0] and "suffix" not in end["target"]["selector"][0]
    assert [(body["purpose"], body["value"]) for body in claim["body"]] == [
        ("tagging", "claim"),
        ("assessing", "mostly_false"),
        ("commenting", f"Said twice,\r\nreally\n{AWKWARD}"),
    ]
    assert [(body["purpose"], body["value"]) for body in artifact["body"]] == [
        ("tagging", "translation_artifact"),
        ("tagging", "untranslated"),
        ("assessing", "major"),
        ("classifying", "Accuracy/Untranslated"),
        ("commenting", "\\."),
        ("editing", "-Zelensky"),
    ]
    assert plain["body"] == [{"type": "TextualBody", "purpose": "tagging", "value": "entity"}, plain["body"][1]]
    assert machine_other["target"]["source"] == f"{IRIS.articles}{awkward[7].article_id}/revisions/1/"
    # Copydesk's terms: the article's url exactly as stored, a claim's fields, a suggestion's confidence.
    assert person["target"]["articleUrl"] == "https://x.example/?a=1&b=\\"
    assert plain["target"]["articleUrl"] == 'https://ja.example/東京/"q"\u2028'
    assert (claim["claimant"], claim["ratingExplanation"], claim["claimDate"]) == (
        "@someone",
        '=HYPERLINK("x")',
        "0999-01-02",
    )
    assert (person["confidence"], claim["confidence"], items[awkward[3].pk]["confidence"]) == (1.0, 0.0, 0.1 + 0.2)
    assert not {"claimant", "ratingExplanation", "claimDate", "confidence"} & set(artifact)


def test_postgres_jsonld_collection_is_the_python_one(awkward, w3c_validator):
    """The whole collection (head, items separated by ",\\n", closing) is the Python path's bytes,
    and passes the W3C working group's must-checks."""
    total = exports().count()
    from_sql = b"".join(jsonld_blocks_postgres(exports(), IRIS, total))
    assert from_sql == "".join(jsonld_texts(exports(), IRIS, total)).encode()
    doc = json.loads(from_sql)
    assert len(doc["first"]["items"]) == doc["total"] == 9
    assert w3c_validator.document_errors(doc) == []


def test_postgres_jsonld_with_no_items(db):
    """An empty collection is the Python path's too."""
    from_sql = b"".join(jsonld_blocks_postgres(exports(), IRIS, 0))
    assert from_sql == "".join(jsonld_texts(exports(), IRIS, 0)).encode()
    assert json.loads(from_sql)["first"]["items"] == []


def test_a_distinct_query_keeps_the_records_fields_alone(awkward):
    """A DISTINCT puts its ordering column (the raw time) in the SELECT too: the files leave it out."""
    by_time = exports("ordering=-created_at").distinct()
    assert b"".join(csv_lines_postgres(by_time)) == "".join(csv_lines(by_time)).encode()
    items = [json.dumps(web_annotation(record, IRIS), ensure_ascii=False) + "\n" for record in records(by_time)]
    assert b"".join(web_annotation_lines_postgres(by_time, IRIS)).decode() == "".join(items)
    assert json.loads(items[0])["id"] == f"{IRIS.annotations}{awkward[-1].pk}/"
