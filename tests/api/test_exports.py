"""Exports of approved annotations: JSONL, CSV and JSON-LD, streamed, filtered like the list."""

import csv
import io
import json
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.interchange import stream
from annotations.models import Annotation
from tests.conftest import RECORD_FIELDS
from tests.factories import ApprovedClaimFactory, UserFactory, bulk_claims

JSONL, CSV, JSONLD = (f"/api/exports/annotations.{ext}" for ext in ("jsonl", "csv", "jsonld"))


def body_of(response) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def jsonl_records(response) -> list[dict]:
    return [json.loads(line) for line in body_of(response).splitlines()]


def exported(url: str, text: str) -> dict[int, tuple[str, str]]:
    """Each exported annotation's id, in file order, with the context (prefix, suffix) it was written with."""
    if url == JSONL:
        return {r["id"]: (r["prefix"], r["suffix"]) for r in map(json.loads, text.splitlines())}
    if url == CSV:
        return {int(r["id"]): (r["prefix"], r["suffix"]) for r in csv.DictReader(io.StringIO(text, newline=""))}
    items = json.loads(text)["first"]["items"]
    quotes = [item["target"]["selector"][0] for item in items]
    return {
        int(item["id"].rstrip("/").rsplit("/", 1)[1]): (quote.get("prefix", ""), quote.get("suffix", ""))
        for item, quote in zip(items, quotes, strict=True)
    }


def test_jsonl_records(client_for, consumer, approved, article):
    """One line per approved annotation, with exactly the API fields plus article and context."""
    response = client_for(consumer).get(JSONL)
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response["Content-Disposition"] == 'attachment; filename="annotations.jsonl"'
    records = jsonl_records(response)
    assert [r["id"] for r in records] == [a.pk for a in approved]
    assert all(list(r) == RECORD_FIELDS for r in records)
    person, claim, artifact = records
    assert person["entity_type"] == "PERSON" and person["artifact_type"] is None
    assert artifact["entity_type"] is None and artifact["artifact_type"] == "untranslated"
    assert claim["status"] == "approved" and claim["reviewed_by"] == "bob" and claim["created_by"] == "alice"
    assert (claim["article_title"], claim["source"], claim["url"], claim["published_at"]) == (
        "Mixed scripts",
        "Test Wire",
        "",
        None,
    )
    for record, annotation in zip(records, approved, strict=True):
        assert record["quote"] == article.body[annotation.start : annotation.end]
        assert record["prefix"] == article.body[max(0, annotation.start - 32) : annotation.start]
        assert record["suffix"] == article.body[annotation.end : annotation.end + 32]
    assert person["prefix"] == "Prime Minister 🇯🇵 "  # code points, flags and emoji included
    assert len(claim["prefix"]) == 32


def test_jsonl_times_match_the_api(client_for, consumer, approved):
    """Times in an export are written exactly as the annotation endpoint writes them."""
    record = jsonl_records(client_for(consumer).get(JSONL))[0]
    api = client_for(consumer).get(f"/api/annotations/{record['id']}/").json()
    for field in ("created_at", "updated_at", "reviewed_at"):
        assert record[field] == api[field]
    assert {k: record[k] for k in api} == api


def test_exports_use_the_list_filters(client_for, consumer, approved):
    """The list's filters and ordering apply; `status` cannot widen an export beyond approved."""
    client = client_for(consumer)
    person, claim, artifact = (a.pk for a in approved)
    assert [r["id"] for r in jsonl_records(client.get(JSONL, {"kind": "entity"}))] == [person]
    assert [r["id"] for r in jsonl_records(client.get(JSONL, {"ordering": "-id"}))] == [artifact, claim, person]
    widened = jsonl_records(client.get(JSONL, {"status": ["pending", "rejected"]}))
    assert [(r["id"], r["status"]) for r in widened] == [(pk, "approved") for pk in (person, claim, artifact)]
    # SQLite's LIKE folds ASCII case only; PostgreSQL's icontains folds Cyrillic too.
    searched = jsonl_records(client.get(JSONL, {"q": "ЗЕЛЕН" if connection.vendor == "postgresql" else "Зелен"}))
    assert [r["id"] for r in searched] == [artifact]


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_export_errors_and_permissions(client_for, consumer, make_user, approved, url):
    """A bad filter is a 400; no credentials a 401; a user without a role a 403: each a JSON body,
    whatever the format asked for."""
    response = client_for(consumer).get(url, {"kind": "opinion"}, HTTP_ACCEPT="text/csv")
    assert (response.status_code, response["Content-Type"], response.json()) == (
        400,
        "application/json",
        {"kind": ["Select a valid choice. opinion is not one of the available choices."]},
    )
    response = client_for(None).get(url)
    assert (response.status_code, response.json()) == (401, {"detail": "Authentication credentials were not provided."})
    nobody = make_user("consumer", "nobody")
    nobody.groups.clear()
    response = client_for(nobody).get(url)
    assert (response.status_code, response.json()) == (403, {"detail": "Only a consumer or above may do this."})


def test_csv_round_trips_awkward_text(client_for, consumer, approved):
    """RFC 4180: a header, CRLF rows, commas, quotes and newlines quoted; UTF-8 kept."""
    response = client_for(consumer).get(CSV, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="annotations.csv"'
    text = body_of(response)
    assert text.startswith(",".join(RECORD_FIELDS) + "\r\n")
    assert '"Said ""calm"", twice,\nreally"' in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [int(r["id"]) for r in rows] == [a.pk for a in approved]
    assert rows[1]["note"] == 'Said "calm", twice,\nreally'
    assert rows[2]["quote"] == "Зеленский"
    assert rows[0]["artifact_type"] == ""  # null is an empty cell


def test_csv_neutralises_formulas(client_for, consumer, approved):
    """Cells a spreadsheet would run (=, +, -, @, tab, CR first) start with an apostrophe."""
    rows = list(csv.DictReader(io.StringIO(body_of(client_for(consumer).get(CSV)), newline="")))
    assert rows[1]["claimant"] == "'=HYPERLINK()"
    assert rows[2]["suggested_correction"] == "'-Zelensky"
    assert rows[0]["review_comment"] == "'+ok"


def test_jsonld_passes_the_w3c_must_checks(client_for, consumer, approved, w3c_validator):
    """The W3C Web Annotation working group's own must-checks pass on a collection of every kind."""
    response = client_for(consumer).get(JSONLD, {"kind": ["claim", "entity", "translation_artifact"]})
    doc = json.loads(body_of(response))
    assert [item["id"] for item in doc["first"]["items"]] == [
        f"http://testserver/api/annotations/{a.pk}/" for a in approved
    ]
    assert w3c_validator.document_errors(doc) == []


def test_an_empty_jsonld_collection_passes_the_w3c_must_checks(client_for, consumer, db, w3c_validator):
    doc = json.loads(body_of(client_for(consumer).get(JSONLD)))
    assert doc["total"] == 0
    assert w3c_validator.document_errors(doc) == []


def test_jsonld_is_a_web_annotation_collection(client_for, consumer, approved, article):
    """Selectors, bodies and IRIs are as documented."""
    client = client_for(consumer)
    response = client.get(JSONLD, {"kind": ["claim", "entity", "translation_artifact"]})
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    doc = json.loads(body_of(response))
    # The Web Annotation context, then Copydesk's terms for what it has none for (an extension).
    assert doc["@context"] == [
        "http://www.w3.org/ns/anno.jsonld",
        {
            "copydesk": "https://w3id.org/copydesk/ns#",
            "articleUrl": {"@id": "copydesk:articleUrl", "@type": "xsd:anyURI"},
            "claimant": "copydesk:claimant",
            "ratingExplanation": "copydesk:ratingExplanation",
            "claimDate": {"@id": "copydesk:claimDate", "@type": "xsd:date"},
            "confidence": {"@id": "copydesk:confidence", "@type": "xsd:double"},
        },
    ]
    assert doc["type"] == "AnnotationCollection" and doc["total"] == 3
    collection = "http://testserver/api/exports/annotations.jsonld?kind=claim&kind=entity&kind=translation_artifact"
    assert doc["id"] == collection
    assert {key: value for key, value in doc["first"].items() if key != "items"} == {
        "id": f"{collection}#page-1",
        "type": "AnnotationPage",
        "startIndex": 0,
    }
    items = doc["first"]["items"]
    assert [item["id"] for item in items] == [f"http://testserver/api/annotations/{a.pk}/" for a in approved]
    person, claim, artifact = items
    # The offsets point into revision 1, whose IRI serves that body; the article is the scope.
    assert person["target"]["source"] == f"http://testserver/api/articles/{article.pk}/revisions/1/"
    assert person["target"]["scope"] == f"http://testserver/api/articles/{article.pk}/"
    quote, position = person["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "Fumio Kishida",
        "prefix": "Prime Minister 🇯🇵 ",
        "suffix": article.body[approved[0].end : approved[0].end + 32],
    }
    assert position == {"type": "TextPositionSelector", "start": approved[0].start, "end": approved[0].end}
    assert all(body["type"] == "TextualBody" for item in items for body in item["body"])
    assert [(b["purpose"], b["value"]) for b in person["body"]] == [("tagging", "entity"), ("tagging", "PERSON")]
    assert [(b["purpose"], b["value"]) for b in claim["body"]] == [
        ("tagging", "claim"),
        ("commenting", 'Said "calm", twice,\nreally'),
    ]
    assert [(b["purpose"], b["value"]) for b in artifact["body"]] == [
        ("tagging", "translation_artifact"),
        ("tagging", "untranslated"),
        ("assessing", "minor"),
        ("classifying", "Accuracy/Untranslated"),
        ("editing", "-Zelensky"),
    ]
    assert claim["creator"] == {"type": "Person", "nickname": "alice"}
    api = client.get(f"/api/annotations/{approved[1].pk}/").json()
    assert (claim["created"], claim["modified"]) == (api["created_at"], api["updated_at"])


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_no_rows(client_for, consumer, db, url):
    """With nothing approved: an empty JSONL, a CSV header alone, an empty valid collection."""
    text = body_of(client_for(consumer).get(url))
    if url == JSONL:
        assert text == ""
    elif url == CSV:
        assert text == ",".join(RECORD_FIELDS) + "\r\n"
    else:
        doc = json.loads(text)
        assert doc["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
        assert {key: value for key, value in doc.items() if key != "@context"} == {
            "id": "http://testserver/api/exports/annotations.jsonld",
            "type": "AnnotationCollection",
            "label": "Approved annotations",
            "total": 0,
            "first": {
                "id": "http://testserver/api/exports/annotations.jsonld#page-1",
                "type": "AnnotationPage",
                "startIndex": 0,
                "items": [],
            },
        }


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_exports_read_the_stored_context(client_for, consumer, approved, url):
    """The context is the annotation's stored prefix and suffix, not cut from the body at export time."""
    person, claim, artifact = approved
    Annotation.objects.filter(pk=person.pk).update(prefix="stored before", suffix="stored after")
    assert exported(url, body_of(client_for(consumer).get(url))) == {
        person.pk: ("stored before", "stored after"),
        claim.pk: (claim.prefix, claim.suffix),
        artifact.pk: (artifact.prefix, artifact.suffix),
    }


def test_context_is_not_in_the_annotation_api(client_for, annotator, approved, article):
    """prefix and suffix appear in exports only: not in the annotation's shape, and not settable."""
    client = client_for(annotator)
    assert not {"prefix", "suffix"} & set(client.get(f"/api/annotations/{approved[0].pk}/").json())
    response = client.post(
        "/api/annotations/", {"article": article.pk, "kind": "claim", "quote": "The end", "prefix": "x"}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {"prefix": ["Unknown field."]})


# --- queries -------------------------------------------------------------------------------

# The queries of one export read to its end, pinned as the list's are (api/test_list_queries.py):
# token and user, role, the read's savepoint and its release, the read itself; JSON-LD first counts
# the collection's total. On PostgreSQL the read's transaction also turns jit off (SET LOCAL), and
# each format's COPY sets three planner settings; the COPY itself runs on psycopg's own cursor,
# which Django does not count, so no SELECT of the rows shows there.
# Each export reads the change feed's newest position too (its Copydesk-Cursor header): one query.
EXPORT_QUERIES = {
    "sqlite": {JSONL: 7, CSV: 7, JSONLD: 7},
    "postgresql": {JSONL: 10, CSV: 10, JSONLD: 10},
}


def queries_of_export(client, url: str) -> tuple[list[str], str]:
    """The SQL of one export, counted until the streamed response is read to its end, and its text."""
    with CaptureQueriesContext(connection) as captured:
        text = body_of(client.get(url))
    return [query["sql"] for query in captured.captured_queries], text


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_export_queries_do_not_grow_with_rows(client_for, consumer, annotator, reviewer, article, url):
    """3 approved annotations or 30: the same queries, as many as pinned, the stream read to its end."""
    client = client_for(consumer)
    queries = {}
    for total in (3, 30):
        ApprovedClaimFactory.create_batch(
            total - Annotation.objects.count(), article=article, created_by=annotator, reviewed_by=reviewer
        )
        queries[total], text = queries_of_export(client, url)
        assert list(exported(url, text)) == list(Annotation.objects.order_by("id").values_list("id", flat=True))
        assert len(exported(url, text)) == total
    assert len(queries[3]) == len(queries[30]), queries
    assert len(queries[30]) == EXPORT_QUERIES[connection.vendor][url], queries[30]


# --- streaming and memory ----------------------------------------------------------------


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_exports_stream_in_pieces(client_for, consumer, annotator, reviewer, monkeypatch, url):
    """The response is streamed piece by piece, not built whole first."""
    monkeypatch.setattr(stream, "FLUSH_BYTES", 4096)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 50)
    made = bulk_claims(300, created_by=annotator, reviewed_by=reviewer, note="x" * 50)
    response = client_for(consumer).get(url)
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) > 5
    assert max(len(p) for p in pieces) < 4096 + 2000
    assert list(exported(url, b"".join(pieces).decode())) == [a.pk for a in made]  # whole, in order


def peak_memory_of_export(client, url: str) -> int:
    tracemalloc.start()
    try:
        for _ in client.get(url).streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_export_memory_does_not_grow_with_rows(client_for, consumer, annotator, reviewer, monkeypatch, url):
    """Four times the rows, about the same peak memory: rows are never all held at once."""
    monkeypatch.setattr(stream, "CHUNK_ROWS", 100)
    client = client_for(consumer)
    bulk_claims(400, created_by=annotator, reviewed_by=reviewer, note="x" * 50)
    peak_fewer = peak_memory_of_export(client, url)
    bulk_claims(1600, created_by=annotator, reviewed_by=reviewer, note="x" * 50)
    peak_more = peak_memory_of_export(client, url)
    assert peak_more < peak_fewer * 1.5 + 200_000


# --- a client can tell a whole file from a cut one ----------------------------------------------


@pytest.mark.parametrize("url", [JSONL, CSV, JSONLD])
def test_the_record_count_header_is_the_files_count(client_for, consumer, approved, url):
    response = client_for(consumer).get(url, {"kind": ["claim", "entity"]})
    assert response["Copydesk-Record-Count"] == "2"
    assert len(exported(url, body_of(response))) == 2


@pytest.mark.parametrize(
    ("url", "last_line"),
    [
        (JSONL, '{"copydesk_end_of_export": {"records": 3}}'),
        (CSV, "copydesk_end_of_export: 3 records"),
    ],
)
def test_an_end_marker_closes_the_file_when_asked_for(client_for, consumer, approved, url, last_line):
    text = body_of(client_for(consumer).get(url, {"end_marker": "true"}))
    assert text.splitlines()[-1] == last_line
    without = body_of(client_for(consumer).get(url))
    assert text.splitlines()[:-1] == without.splitlines()


def test_a_cut_stream_is_told_by_its_count_and_its_missing_marker(client_for, consumer, monkeypatch):
    """Read part of a JSONL export, as a client whose connection dropped: it holds fewer
    records than the header says, and no end marker."""
    monkeypatch.setattr(stream, "FLUSH_BYTES", 1024)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 10)
    bulk_claims(200, created_by=UserFactory(role="annotator"), reviewed_by=UserFactory(role="reviewer"))
    response = client_for(consumer).get(JSONL, {"end_marker": "1"})
    pieces = iter(response.streaming_content)
    received = b"".join(next(pieces) for _ in range(5)).decode()
    response.close()
    lines = received.split("\n")
    whole = [json.loads(line) for line in lines[:-1]]
    assert 0 < len(whole) < int(response["Copydesk-Record-Count"]) == 200
    assert "copydesk_end_of_export" not in received


def test_an_end_marker_that_is_neither_true_nor_false_is_a_400(client_for, consumer, db):
    response = client_for(consumer).get(JSONL, {"end_marker": "maybe"})
    assert (response.status_code, response.json()) == (400, {"end_marker": ["Must be true or false."]})


# --- for spreadsheets ------------------------------------------------------------------------

BOM = "\ufeff".encode()


def test_csv_for_spreadsheets_starts_with_a_bom(client_for, consumer, approved):
    """?spreadsheet=true: a UTF-8 BOM, then the same file: CRLF record ends, the note's line
    break inside its quoted cell, read back whole by a reader that takes the BOM off."""
    client = client_for(consumer)
    raw = b"".join(client.get(CSV, {"spreadsheet": "true"}).streaming_content)
    assert raw == BOM + body_of(client.get(CSV)).encode()
    text = raw.decode("utf-8-sig")
    assert text.count("\r\n") == 4  # the header and three records; the note's own line break is an LF
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == RECORD_FIELDS
    assert [int(row["id"]) for row in rows] == [a.pk for a in approved]
    assert rows[1]["note"] == 'Said "calm", twice,\nreally'
    assert rows[0]["prefix"] == "Prime Minister 🇯🇵 "


def test_csv_for_spreadsheets_with_an_end_marker(client_for, consumer, approved):
    """The BOM comes first and the marker last."""
    text = body_of(client_for(consumer).get(CSV, {"spreadsheet": "1", "end_marker": "1"}))
    assert text.startswith("\ufeffid,article,")
    assert text.endswith("\r\ncopydesk_end_of_export: 3 records\r\n")


def test_quality_csv_for_spreadsheets(client_for, consumer, article):
    """quality.csv takes the option too: a BOM, then its header."""
    text = b"".join(client_for(consumer).get("/api/exports/quality.csv", {"spreadsheet": "yes"}).streaming_content)
    assert text.startswith(BOM + b"article,title,")
    assert not b"".join(client_for(consumer).get("/api/exports/quality.csv").streaming_content).startswith(BOM)


@pytest.mark.parametrize("url", [CSV, "/api/exports/quality.csv"])
def test_a_spreadsheet_option_that_is_neither_true_nor_false_is_a_400(client_for, consumer, db, url):
    response = client_for(consumer).get(url, {"spreadsheet": "excel"})
    assert (response.status_code, response.json()) == (400, {"spreadsheet": ["Must be true or false."]})


def test_the_schema_offers_the_spreadsheet_option_on_csv_only(client_for, consumer):
    paths = client_for(consumer).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    def options(path):
        return {parameter["name"] for parameter in paths[path]["get"]["parameters"]}

    assert "spreadsheet" in options(CSV) and "spreadsheet" in options("/api/exports/quality.csv")
    assert "spreadsheet" not in options(JSONL) | options(JSONLD)
