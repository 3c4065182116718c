"""Importing annotations made elsewhere: each file all or nothing, every refused record named,
articles found by url or text or created, annotations pending with their origin."""

import io
import json

import pytest

from annotations.domain.imports import ImportFailed
from annotations.domain.label_mapping import mapping_of
from annotations.interchange.annotation_files import read
from annotations.models import Annotation, AnnotationEvent, Article, Status
from annotations.services.annotation_imports import annotations_import

pytestmark = pytest.mark.django_db

TEXT = "Prime Minister Fumio Kishida 🇯🇵 said on Wednesday\r\nthat Japan will accept refugees from Ukraine.\r\n"


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def doccano_line(text=TEXT, labels=None, **extra) -> str:
    labels = (
        labels
        if labels is not None
        else [
            [utf16(text, text.index("Fumio Kishida")), utf16(text, text.index("Fumio Kishida") + 13), "PER"],
            [utf16(text, text.index("Ukraine")), utf16(text, text.index("Ukraine") + 7), "GPE"],
        ]
    )
    return json.dumps({"text": text, "label": labels, **extra}, ensure_ascii=False)


def run(actor, fmt, content: str, mapping=None):
    return annotations_import(
        actor=actor, spans=read(fmt, io.BytesIO(content.encode())), mapping=mapping_of(mapping), name="t"
    )


def test_a_doccano_file_creates_its_article_and_pending_annotations(annotator):
    result = run(annotator, "doccano", doccano_line())
    assert (result.articles_created, result.annotations_created) == (1, 2)
    article = Article.objects.get()
    assert article.body == TEXT.replace("\r\n", "\n")  # stored as any article, CRLF as LF
    annotations = {a.quote: a for a in Annotation.objects.all()}
    assert set(annotations) == {"Fumio Kishida", "Ukraine"}  # UTF-16 offsets past the flag and a CRLF
    kishida = annotations["Fumio Kishida"]
    assert (kishida.kind, kishida.entity_type, kishida.status, kishida.origin) == (
        "entity", "PERSON", Status.PENDING, "import"
    )  # fmt: skip
    assert list(AnnotationEvent.objects.filter(annotation=kishida).values_list("action", flat=True)) == ["created"]


def test_the_same_text_again_finds_its_article(annotator):
    run(annotator, "doccano", doccano_line(labels=[[0, 5, "PER"]]))
    result = run(annotator, "doccano", doccano_line())
    assert result.articles_created == 0 and Article.objects.count() == 1


def test_a_bad_file_stores_nothing_and_names_every_record(annotator):
    lines = "\n".join([
        doccano_line(),
        doccano_line(text="Another text, about Lviv.", labels=[[20, 24, "WEATHER"]]),
        doccano_line(text="A third text.", labels=[[8, 40, "PER"]]),
    ])  # fmt: skip
    with pytest.raises(ImportFailed) as failed:
        run(annotator, "doccano", lines)
    assert failed.value.errors == [
        "line 2, label 1: the label 'WEATHER' maps to no kind: give a mapping for it",
        "line 3, label 1: 40 is past the end of the text (13 UTF-16 code units)",
    ]
    assert Article.objects.count() == 0 and Annotation.objects.count() == 0


def test_a_mapping_gives_unknown_labels_their_kind(annotator):
    text = "Another text, about Lviv."
    run(annotator, "doccano", doccano_line(text=text, labels=[[20, 24, "PLACE"], [0, 12, "SAID"]]),
        mapping={"PLACE": "GPE", "SAID": {"kind": "claim", "claimant": "someone"}})  # fmt: skip
    kinds = {a.quote: (a.kind, a.entity_type, a.claimant) for a in Annotation.objects.all()}
    assert kinds == {"Lviv": ("entity", "GPE", ""), "Another text": ("claim", "", "someone")}


def test_duplicates_in_the_file_or_with_what_is_stored_are_refused(annotator):
    label = [0, 5, "PER"]
    with pytest.raises(ImportFailed) as twice:
        run(annotator, "doccano", doccano_line(labels=[label, [6, 9, "ORG"], label]))
    assert twice.value.errors == ["line 1, label 3: the same span, kind and type as line 1, label 1"]
    run(annotator, "doccano", doccano_line(labels=[label]))
    stored = Annotation.objects.get()
    with pytest.raises(ImportFailed) as again:
        run(annotator, "doccano", doccano_line(labels=[[6, 9, "ORG"], label]))
    assert again.value.errors == [
        f"line 1, label 2: the article already has an annotation of this kind and type on this span (id {stored.pk})"
    ]
    assert Annotation.objects.count() == 1


def test_duplicates_are_named_beside_the_other_refused_records(annotator):
    """A file with bad records and duplicates names both, in the file's order."""
    label = [0, 5, "PER"]
    with pytest.raises(ImportFailed) as failed:
        run(annotator, "doccano", doccano_line(labels=[label, [0, 999, "PER"], label, [1, 2, "NOPE"]]))
    assert [error.split(":")[0] for error in failed.value.errors] == [
        "line 1, label 2",
        "line 1, label 3",
        "line 1, label 4",
    ]
    assert not Annotation.objects.exists()


def test_an_article_found_by_url_must_have_the_files_text(annotator):
    run(annotator, "doccano", doccano_line(url="https://news.example/a", labels=[[0, 5, "PER"]]))
    with pytest.raises(ImportFailed, match="has another text"):
        run(annotator, "doccano", doccano_line(text="Changed text.", url="https://news.example/a", labels=[]) + "\n"
            + doccano_line(text="Changed text.", url="https://news.example/a", labels=[[0, 7, "PER"]]))  # fmt: skip


def test_label_studio_predictions_are_machine_suggestions(annotator):
    text = "Kishida 🙂 met\r\nZelensky."
    start = text.index("Zelensky")  # code points, the CRLF counting two
    task = {
        "data": {"text": text},
        "annotations": [{"result": [{"type": "labels", "value": {"start": 0, "end": 7, "text": "Kishida",
                                                                  "labels": ["PERSON"]}}]}],
        "predictions": [{"model_version": "ner 1.2", "score": 0.5, "result": [
            {"type": "labels", "score": 0.87,
             "value": {"start": start, "end": start + 8, "text": "Zelensky", "labels": ["PERSON"]}},
            {"type": "relation", "from_id": "a", "to_id": "b"},
        ]}],
    }  # fmt: skip
    result = run(annotator, "label-studio", json.dumps([task], ensure_ascii=False))
    assert result.annotations_created == 2
    made = {a.quote: (a.origin, a.model, a.confidence) for a in Annotation.objects.all()}
    assert made == {"Kishida": ("import", "", None), "Zelensky": ("machine", "ner 1.2", 0.87)}


def test_label_studio_text_that_is_not_there_is_refused(annotator):
    task = {"data": {"text": "Kishida met Zelensky."}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 7, "text": "Zelensk", "labels": ["PERSON"]}}]}]}  # fmt: skip
    with pytest.raises(ImportFailed, match="task 1, region 1: the file's text 'Zelensk' is not what the article"):
        run(annotator, "label-studio", json.dumps([task]))


def test_a_consumer_may_not_import(consumer):
    from annotations.domain.errors import NotAllowed

    with pytest.raises(NotAllowed):
        run(consumer, "doccano", doccano_line())
