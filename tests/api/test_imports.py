"""POST /api/imports/annotations/?format=F and GET /api/imports/{id}/: a small file imported during
the request (201), a large one queued for the worker (202), a bad one refused whole (400)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from annotations.models import Annotation, AnnotationImport, Article

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
    assert (queued["state"], queued["annotations_created"]) == ("queued", 0)
    assert len(list(tmp_path.iterdir())) == 1
    call_command("process_imports", "--once")
    done = client_for(annotator).get(queued["url"]).json()
    assert (done["state"], done["records_read"], done["annotations_created"]) == ("done", 1, 1)
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
