"""The Label Studio and doccano exports: an article a task or line, offsets in each tool's unit,
read back by this project's own readers of those formats to the same annotations."""

import io
import json

import pytest

from annotations.domain.label_mapping import mapping_of
from annotations.interchange.annotation_files import read
from annotations.models import Annotation
from annotations.services.annotation_imports import annotations_import
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.reviews import annotation_approve
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = "Prime Minister 🇯🇵 Fumio Kishida said\r\nJapan will take refugees 🙂 from Ukraine.\nThe end."


@pytest.fixture
def approved_spans(annotator, reviewer):
    article = ArticleFactory(title="Kishida", body=BODY, url="https://news.example/k")
    made = [
        annotation_create(actor=annotator, article=article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"),
        annotation_create(
            actor=annotator, article=article, kind="claim", quote="Japan will take refugees 🙂 from Ukraine"
        ),
        annotation_create(
            actor=annotator, article=article, kind="translation_artifact", quote="The end", artifact_type="boilerplate"
        ),
        annotation_create(actor=annotator, article=article, kind="entity", quote="Ukraine", entity_type="GPE"),
    ]
    for annotation in made[:3]:
        annotation_approve(actor=reviewer, annotation_id=annotation.pk)
    return article, made[:3]


def spans():
    return sorted(
        (a.kind, a.start, a.end, a.quote, a.entity_type, a.artifact_type) for a in Annotation.objects.order_by("id")
    )


def exported(client, name):
    response = client.get(f"/api/exports/annotations.{name}")
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_label_studio_tasks_have_the_shape_its_importer_takes(client_for, consumer, approved_spans):
    article, _ = approved_spans
    response, content = exported(client_for(consumer), "label-studio.json")
    assert response["Content-Disposition"] == 'attachment; filename="annotations.label-studio.json"'
    (task,) = json.loads(content)
    assert task["data"]["text"] == article.body
    (annotation,) = task["annotations"]
    regions = annotation["result"]
    assert {(r["type"], r["from_name"], r["to_name"]) for r in regions} == {("labels", "label", "text")}
    by_label = {r["value"]["labels"][0]: r["value"] for r in regions}
    assert set(by_label) == {"PERSON", "CLAIM", "BOILERPLATE"}
    kishida = by_label["PERSON"]
    # Code points of data.text: the flag counts two, as in Python.
    assert article.body[kishida["start"] : kishida["end"]] == kishida["text"] == "Fumio Kishida"


def test_doccano_counts_utf16_units(client_for, consumer, approved_spans):
    article, _ = approved_spans
    _, content = exported(client_for(consumer), "doccano.jsonl")
    (line,) = [json.loads(text) for text in content.splitlines()]
    assert line["text"] == article.body
    encoded = article.body.encode("utf-16-le")
    words = {label: encoded[2 * s : 2 * e].decode("utf-16-le") for s, e, label in line["label"]}
    assert words == {
        "PERSON": "Fumio Kishida",
        "CLAIM": "Japan will take refugees 🙂 from Ukraine",
        "BOILERPLATE": "The end",
    }


@pytest.mark.parametrize(("name", "fmt"), [("label-studio.json", "label-studio"), ("doccano.jsonl", "doccano")])
def test_an_export_read_back_gives_the_same_annotations(
    client_for, consumer, admin_user, annotator, approved_spans, name, fmt
):
    _, content = exported(client_for(consumer), name)
    before = [s for s in spans() if s[3] != "Ukraine"]  # the pending one is not exported
    for annotation in Annotation.objects.all():
        annotation_delete(actor=admin_user, annotation_id=annotation.pk)
    result = annotations_import(actor=annotator, spans=read(fmt, io.BytesIO(content)), mapping=mapping_of(None))
    assert (result.articles_created, result.annotations_created) == (0, 3)  # found by its url and text
    assert spans() == before


def brat_zip(files: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_brat_zip_reads_back_to_the_same_annotations(client_for, consumer, admin_user, annotator, reviewer):
    """A claim over a line break is written in pieces (as brat stores such a selection) and read
    back whole."""
    article = ArticleFactory(title="Two lines", body="Kishida 🇯🇵 said it:\nrefugees come.\nThe end.")
    claim = annotation_create(actor=annotator, article=article, kind="claim", quote="said it:\nrefugees come")
    person = annotation_create(actor=annotator, article=article, kind="entity", quote="Kishida", entity_type="PERSON")
    for made in (claim, person):
        annotation_approve(actor=reviewer, annotation_id=made.pk)
    response, content = exported(client_for(consumer), "brat.zip")
    assert response["Content-Type"] == "application/zip"
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(content))
    ann = archive.read(f"article-{article.pk}.ann").decode()
    assert "\tCLAIM 11 19;20 33\tsaid it: refugees come\n" in ann
    before = spans()
    for annotation in Annotation.objects.all():
        annotation_delete(actor=admin_user, annotation_id=annotation.pk)
    result = annotations_import(actor=annotator, spans=read("brat", io.BytesIO(content)), mapping=mapping_of(None))
    assert result.annotations_created == 2 and spans() == before


def test_brat_counts_code_points_with_crlf_as_two_and_refuses_discontinuous_spans(annotator):
    text = "Kishida 🙂 met\r\nZelensky."
    start = text.index("Zelensky")
    good = brat_zip(
        {"d.txt": text.encode(), "d.ann": f"T1\tPERSON {start} {start + 8}\tZelensky\nR1\tRel A:T1 B:T1\n".encode()}
    )
    annotations_import(actor=annotator, spans=read("brat", io.BytesIO(good)), mapping=mapping_of(None))
    assert Annotation.objects.get().quote == "Zelensky"
    bad = brat_zip({"e.txt": b"one two three", "e.ann": b"T1\tPERSON 0 3;8 13\tone three\n"})
    from annotations.domain.imports import ImportFailed

    with pytest.raises(ImportFailed, match=r"e.ann, line 1 \(T1\): a discontinuous span \(0 3;8 13\)"):
        annotations_import(actor=annotator, spans=read("brat", io.BytesIO(bad)), mapping=mapping_of(None))
