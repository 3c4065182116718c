"""How an import stores what it read: through a staging table, in the file's order, with the
`created` events the API's create writes, the articles it needs found again when it has let
them go, progress as it goes, and one winner when two files race for the same span."""

import io
import json
import threading

import psycopg
import pytest
from django.db import connection, connections

from annotations.domain.imports import ImportedSpan, ImportFailed, SourceArticle
from annotations.domain.label_mapping import mapping_of
from annotations.interchange.annotation_files import read
from annotations.models import Annotation, AnnotationEvent, Article
from annotations.services import annotation_imports
from annotations.services.annotation_imports import annotations_import, import_create, import_run
from annotations.services.annotations import annotation_create
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEXTS = [f"Article {n}: Kishida met Zelensky in Kyiv 🇺🇦 on day {n}." for n in range(5)]


def doccano(texts=TEXTS, label=("Kishida", "PER")) -> bytes:
    lines = []
    for text in texts:
        start = text.index(label[0])  # before the emoji: UTF-16 and code points agree here
        lines.append(json.dumps({"text": text, "label": [[start, start + len(label[0]), label[1]]]}))
    return "\n".join(lines).encode()


def run(actor, content: bytes, **options):
    return annotations_import(
        actor=actor, spans=read("doccano", io.BytesIO(content)), mapping=mapping_of(None), **options
    )


def test_annotations_take_ids_in_the_files_order_with_the_events_the_api_writes(annotator):
    result = run(annotator, doccano())
    assert (result.annotations_created, result.articles_created, result.records_read) == (5, 5, 5)
    stored = list(Annotation.objects.order_by("id").select_related("article"))
    assert [a.article.body for a in stored] == TEXTS
    by_hand = annotation_create(actor=annotator, article=stored[0].article, kind="entity",
                                entity_type="ORG", quote="Zelensky")  # fmt: skip
    for imported in stored:
        assert (imported.status, imported.origin, imported.created_by, imported.revision) == (
            "pending", "import", annotator, imported.article.revision)  # fmt: skip
        assert imported.created_at == imported.updated_at
        assert imported.prefix == imported.article.body[: imported.start][-32:]
        assert imported.suffix == imported.article.body[imported.end :][:32]
    # Each event is the one the API's create writes for its annotation: the same fields.
    columns = ("action", "actor_id", "from_status", "to_status", "comment", "changes")
    made = AnnotationEvent.objects.get(annotation=by_hand)
    for imported in stored:
        event = AnnotationEvent.objects.get(annotation=imported)
        assert [getattr(event, c) for c in columns] == [getattr(made, c) for c in columns]
        assert event.at == imported.updated_at


def test_an_article_let_go_is_found_again_not_made_twice(annotator, monkeypatch):
    monkeypatch.setattr(annotation_imports, "ARTICLES_KEPT", 2)
    spans = [
        ImportedSpan(record=f"record {n}", article=SourceArticle(text=TEXTS[n % 3]), start=11, end=18, label=label)
        for n, label in enumerate(["PER", "PER", "PER", "NORP", "NORP", "NORP", "ORG"])
    ]
    result = annotations_import(actor=annotator, spans=spans, mapping=mapping_of(None))
    assert (result.articles_created, result.annotations_created) == (3, 7)
    assert Article.objects.count() == 3


def test_a_reader_that_breaks_mid_file_leaves_nothing_and_the_connection_usable(annotator):
    def spans():
        for n in range(3000):  # past a COPY's first blocks on PostgreSQL
            # Duplicates all, but those are found at the end, which this file never reaches.
            yield ImportedSpan(
                record=f"record {n}", article=SourceArticle(text=TEXTS[0]), start=n % 7, end=8, label="PER"
            )
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError, match="disk went away"):
        annotations_import(actor=annotator, spans=spans(), mapping=mapping_of(None))
    assert not Annotation.objects.exists() and not Article.objects.exists()
    assert run(annotator, doccano()).annotations_created == 5  # the connection still works


def test_progress_is_reported_reading_then_storing(annotator, monkeypatch):
    monkeypatch.setattr(annotation_imports, "PROGRESS_SECONDS", 0)
    texts = [f"Text {n} names Kishida once." for n in range(2500)]
    seen = []
    run(annotator, doccano(texts), progress=seen.append)
    assert [(p.records, p.stage) for p in seen] == [(1000, "reading"), (2000, "reading"), (2500, "storing")]


def test_a_file_that_fails_reports_its_progress_too(annotator):
    seen = []
    with pytest.raises(ImportFailed):
        run(annotator, doccano(label=("Kishida", "NOPE")), progress=seen.append)
    assert seen and seen[-1].stage == "storing"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_files_racing_for_one_span_one_wins_the_other_names_it(annotator, other_annotator):
    """The unique index decides: the loser waits for the winner's commit, then names its record."""
    run(annotator, doccano(TEXTS[:1], label=("Zelensky", "PER")))  # the articles exist: both files find them
    barrier, outcomes = threading.Barrier(2), {}

    def load(actor):
        try:
            barrier.wait(timeout=10)
            outcomes[actor.username] = run(actor, doccano(TEXTS[:3]))
        except ImportFailed as failure:
            outcomes[actor.username] = failure
        finally:
            connections.close_all()

    threads = [threading.Thread(target=load, args=(actor,)) for actor in (annotator, other_annotator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    failures = [o for o in outcomes.values() if isinstance(o, ImportFailed)]
    assert len(outcomes) == 2 and len(failures) == 1, outcomes
    assert failures[0].errors[0].startswith("line 1, label 1: the article already has an annotation of this kind")
    assert Annotation.objects.filter(entity_type="PERSON", quote="Kishida").count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection sees it on PostgreSQL")
def test_an_imports_progress_shows_to_others_while_it_runs(annotator, monkeypatch):
    monkeypatch.setattr(annotation_imports, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr(annotation_imports, "READ_AHEAD", 500)  # the service a batch behind the reader
    content = doccano([f"Text {n} names Kishida once." for n in range(2500)])
    record = import_create(actor=annotator, format_name="doccano", name="big", size=len(content), mapping={})
    file, seen = io.BytesIO(content), []

    def spans():
        for number, span in enumerate(read("doccano", file), start=1):
            if number == 1500:  # what another connection (the API's GET) sees now
                with psycopg.connect(**connection.get_connection_params()) as other:
                    seen.append(other.execute(
                        "SELECT records_read, bytes_read, stage FROM annotations_annotationimport WHERE id = %s",
                        [record.pk]).fetchone())  # fmt: skip
            yield span

    done = import_run(record, spans(), position=file.tell)
    assert seen[0][0] == 1000 and 0 < seen[0][1] < len(content) and seen[0][2] == "reading"
    assert (done.state, done.records_read, done.bytes_read, done.stage) == ("done", 2500, len(content), "")


def test_a_reader_that_queries_as_it_reads_imports_a_file_of_many_chunks(annotator, monkeypatch):
    """Copydesk's JSONL reader looks up each chunk's new articles as it reads, between the COPYs
    that store what it has read (on PostgreSQL a query during a COPY would wait for ever)."""
    monkeypatch.setattr(annotation_imports, "READ_AHEAD", 400)  # batches between the reader's chunks
    lines = []
    for number in range(3):  # an article whose spans begin in each chunk of 500
        body = f"Article {number}: Kishida met Zelensky in Kyiv on Wednesday. " * 3
        article = ArticleFactory(body=body, url=f"https://news.example/{number}")
        spans = [(s, e) for s in range(len(body)) for e in range(s + 1, min(len(body), s + 12) + 1)][:500]
        lines += [json.dumps({"url": article.url, "start": s, "end": e, "quote": body[s:e], "kind": "claim"})
                  for s, e in spans]  # fmt: skip
    result = annotations_import(
        actor=annotator, spans=read("copydesk-jsonl", io.BytesIO("\n".join(lines).encode())), mapping=mapping_of(None)
    )
    assert (result.annotations_created, result.articles_created) == (1500, 0)
    assert Annotation.objects.count() == 1500
