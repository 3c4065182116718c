"""POST /api/imports/annotations/?format=F and GET /api/imports/{id}/: a small file imported during
the request (201), a large one queued for the worker (202), a bad one refused whole (400)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from annotations.models import Annotation, AnnotationImport, Article
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.reviews import annotation_approve

pytestmark = pytest.mark.django_db

URL = "/api/imports/annotations/"
TEXT = "Kishida 🙂 met Zelensky in Kyiv.\r\nThe end."


def utf16(index: int) -> int:
    return len(TEXT[:index].encode("utf-16-le")) // 2


def doccano(*labels) -> bytes:
    spans = [[utf16(TEXT.index(word)), utf16(TEXT.index(word) + len(word)), label] for word, label in labels]
    return (json.dumps({"text": TEXT, "label": spans}, ensure_ascii=False) + "\n").encode()


def test_a_small_file_as_the_body_is_imported_at_once(client_for, annotator):
    response = client_for(annotator).post(
        f"{URL}?format=doccano&name=wire.jsonl", doccano(("Zelensky", "PER"), ("Kyiv", "GPE")),
        content_type="application/x-ndjson",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["articles_created"], body["annotations_created"], body["errors"]) == ("done", 1, 2, [])
    assert body["name"] == "wire.jsonl" and body["created_by"] == "alice"
    assert {a.quote: a.status for a in Annotation.objects.all()} == {"Zelensky": "pending", "Kyiv": "pending"}
    assert client_for(annotator).get(body["url"]).json()["state"] == "done"


def test_a_multipart_file_with_a_mapping(client_for, annotator):
    upload = SimpleUploadedFile("tasks.jsonl", doccano(("Zelensky", "WHO")))
    response = client_for(annotator).post(
        f"{URL}?format=doccano", {"file": upload, "mapping": json.dumps({"WHO": "PERSON"})}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert Annotation.objects.get().entity_type == "PERSON"


def test_a_bad_file_is_refused_whole_naming_its_records(client_for, annotator):
    content = doccano(("Zelensky", "PER")) + doccano(("Kyiv", "WEATHER"))
    response = client_for(annotator).post(f"{URL}?format=doccano", content, content_type="text/plain")
    assert response.status_code == 400
    body = response.json()
    assert body["state"] == "failed"
    assert body["errors"] == ["line 2, label 1: the label 'WEATHER' maps to no kind: give a mapping for it"]
    assert Annotation.objects.count() == 0 and Article.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "field"), [("", "format"), ("?format=conll", "format"), ("?format=doccano&mapping=%7Bx", "mapping")]
)
def test_bad_parameters_are_named(client_for, annotator, query, field):
    response = client_for(annotator).post(f"{URL}{query}", doccano(), content_type="text/plain")
    assert response.status_code == 400
    assert field in response.json()


def test_consumers_may_not_import_and_imports_are_their_submitters(client_for, consumer, annotator, other_annotator):
    assert client_for(consumer).post(f"{URL}?format=doccano", doccano(), content_type="text/plain").status_code == 403
    made = client_for(annotator).post(f"{URL}?format=doccano", doccano(), content_type="text/plain").json()
    assert client_for(other_annotator).get(made["url"]).status_code == 404


def test_a_large_file_is_queued_and_the_worker_imports_it(client_for, annotator, settings, tmp_path):
    settings.IMPORT_AT_ONCE_BYTES = 10
    settings.IMPORTS_DIR = tmp_path
    response = client_for(annotator).post(
        f"{URL}?format=doccano", doccano(("Zelensky", "PER")), content_type="text/plain"
    )
    assert response.status_code == 202
    queued = response.json()
    assert (queued["state"], queued["annotations_created"], queued["progress"]) == ("queued", 0, None)
    assert len(list(tmp_path.iterdir())) == 1
    call_command("process_imports", "--once")
    done = client_for(annotator).get(queued["url"]).json()
    assert (done["state"], done["records_read"], done["annotations_created"]) == ("done", 1, 1)
    assert (done["progress"], done["bytes_read"], done["stage"]) == (1.0, queued["size"], "")
    assert done["started_at"] and done["finished_at"]
    assert list(tmp_path.iterdir()) == []  # the stored file is gone once it has run
    assert AnnotationImport.objects.get().state == "done"


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("doccano", b"\xff\xfe not utf-8"),
        ("doccano", b'{"text": 5}'),
        ("doccano", b'{"text": "abc", "label": {"a": 1}}'),
        ("doccano", b'{"text": "abc", "label": [[0, "2", "PER"]]}'),
        ("label-studio", b"\xff\xfe"),
        ("label-studio", b'[{"data": {"text": "abc"}, "annotations": "nope"}]'),
        ("label-studio", b'[{"data": {"text": "abc", "title": "' + b"t" * 600 + b'"}, "annotations": []}]'),
        ("copydesk-jsonl", b'{"kind": "entity", "entity_type": "ALIEN", "start": 0, "end": 1, "url": "x"}'),
        ("copydesk-jsonl", b'{"kind": 5, "start": "a", "end": null}'),
        ("copydesk-jsonl", b'{"kind": "claim", "claim_date": "soon", "start": 0, "end": 1, "url": "x"}'),
        ("copydesk-jsonl", b'{"kind": "claim", "origin": "machine", "confidence": "high", "start": 0, "end": 1}'),
        ("w3c-jsonld", b"\xff\xfe"),
        ("w3c-jsonld", b'{"type": "Annotation", "body": 5, "target": {"source": 5, "selector": [null, 3]}}'),
        (
            "w3c-jsonld",
            b'[{"type": ["Annotation"], "target": {"scope": "/api/articles/999999999999999999/", '
            b'"selector": {"type": "TextPositionSelector", "start": 1e400, "end": 2}}}]',
        ),
    ],
)
def test_what_cannot_be_read_is_a_400_or_an_empty_import_never_a_500(client_for, annotator, fmt, content):
    response = client_for(annotator).post(f"{URL}?format={fmt}", content, content_type="text/plain")
    assert response.status_code in (201, 400), response.content
    assert Annotation.objects.count() == 0


def test_a_body_larger_than_djangos_upload_limit_is_queued_not_refused(client_for, annotator, settings, tmp_path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # Django refuses request.body past this
    settings.IMPORT_AT_ONCE_BYTES = 100
    settings.IMPORTS_DIR = tmp_path
    content = doccano(("Zelensky", "PER")) * 3  # three lines, the same span: refused once run, but received
    response = client_for(annotator).post(f"{URL}?format=doccano", content, content_type="application/octet-stream")
    assert response.status_code == 202, response.content
    assert response.json()["size"] == len(content)


# What a round trip through Copydesk's own exports keeps (the JSONL's, tests/commands/test_import_annotations.py):
# the span, kind, types and every field written, and a machine suggestion's model and confidence.
KEPT = ["kind", "start", "end", "quote", "entity_type", "artifact_type", "suggested_correction", "severity",
        "claimant", "rating", "rating_explanation", "claim_date", "note", "model", "confidence",
        "revision"]  # fmt: skip
ARTICLES = [
    {"title": "Cafe", "url": "https://news.example/café?id=1&x=\\",
     "body": "Le cafe\u0301 🇯🇵 de Zoe\u0308:\r\nKishida 🙂 said the talks were long.\r\nThe end."},
    {"title": "Kyiv", "url": "https://news.example/kyiv", "body": "Zelensky met Kishida in Kyiv. Talks were long."},
]  # fmt: skip


def kept(client, **params) -> list[tuple]:
    """Each annotation the API lists as the round trip keeps it, with its article's url (ids differ)."""
    urls = {a["id"]: a["url"] for a in client.get("/api/articles/").json()["results"]}
    listed = client.get("/api/annotations/", {"page_size": 500, **params}).json()["results"]
    return sorted(((urls[a["article"]], a["origin"], *(a[f] for f in KEPT)) for a in listed), key=str)


def test_a_jsonld_export_read_into_another_copydesk_gives_what_the_jsonl_does(
    client_for, consumer, annotator, reviewer, admin_user, tmp_path
):
    """Exported as JSON-LD, then read into a Copydesk with the same articles under other ids
    (imported again by import_articles) and no annotations: the same annotations as the JSONL
    export gives (ids, times, reviews and history aside; a person's come in as `import`). The
    articles are found by the url the export carries, the claims' fact-checks and the
    suggestions' confidence by Copydesk's terms; on PostgreSQL the export is the database's."""
    for article in ARTICLES:
        assert client_for(admin_user).post("/api/articles/", article, format="json").status_code == 201
    cafe, kyiv = Article.objects.order_by("id")
    made = [
        annotation_create(actor=annotator, article=cafe, kind="entity", quote="Kishida", entity_type="PERSON",
                          origin="machine", model="ner 2.1", confidence=0.93),
        annotation_create(actor=annotator, article=cafe, kind="claim", quote="the talks were long", rating="mixed",
                          claimant="Kishida", rating_explanation="Some were.", claim_date="2025-06-01", note="check"),
        annotation_create(actor=annotator, article=cafe, kind="translation_artifact", quote="cafe\u0301",
                          artifact_type="untranslated", suggested_correction="coffee", severity="major"),
        annotation_create(actor=annotator, article=cafe, kind="entity", quote="Zoe\u0308", entity_type="PERSON"),
        annotation_create(actor=annotator, article=kyiv, kind="claim", quote="Talks were long", origin="machine",
                          confidence=0.0),
        annotation_create(actor=annotator, article=kyiv, kind="entity", quote="Kyiv", entity_type="GPE"),
    ]  # fmt: skip
    for annotation in made:
        annotation_approve(actor=reviewer, annotation_id=annotation.pk)
    before = kept(client_for(consumer))
    exports = {
        fmt: b"".join(client_for(consumer).get(f"/api/exports/annotations.{fmt}").streaming_content)
        for fmt in ("jsonld", "jsonl")
    }
    # Another Copydesk: the same articles from their files, under other ids; no annotations.
    for annotation in made:
        annotation_delete(actor=admin_user, annotation_id=annotation.pk)
    Article.objects.all().delete()
    (tmp_path / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in reversed(ARTICLES)))
    call_command("import_articles", str(tmp_path / "articles.jsonl"), stdout=io.StringIO())
    assert not {cafe.pk, kyiv.pk} & set(Article.objects.values_list("pk", flat=True))

    after = {}
    for fmt, name in (("jsonld", "w3c-jsonld"), ("jsonl", "copydesk-jsonl")):
        Annotation.objects.all().delete()
        response = client_for(annotator).post(f"{URL}?format={name}", exports[fmt], content_type="text/plain")
        assert response.status_code == 201, response.json()
        assert (response.json()["annotations_created"], response.json()["articles_created"]) == (len(made), 0)
        after[fmt] = kept(client_for(annotator), status="pending")

    assert after["jsonld"] == after["jsonl"]
    origins = {"human": "import", "machine": "machine"}  # a person's annotation comes in as an import
    assert after["jsonld"] == sorted(((url, origins[origin], *rest) for url, origin, *rest in before), key=str)
    claim = Annotation.objects.get(quote="the talks were long")
    assert (claim.claimant, claim.rating_explanation, claim.claim_date.isoformat()) == (
        "Kishida", "Some were.", "2025-06-01"
    )  # fmt: skip
    assert Annotation.objects.get(quote="Talks were long").confidence == 0.0
