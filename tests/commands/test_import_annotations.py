"""manage.py import_annotations: files made elsewhere, each whole or not at all; and the round
trip of Copydesk's own JSONL export."""

import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation
from annotations.services.annotations import annotation_delete

pytestmark = pytest.mark.django_db


def test_an_export_comes_back_as_the_same_annotations(client_for, consumer, annotator, admin_user, approved, tmp_path):
    """What a round trip keeps: span, kind, types and every field written; not ids, times,
    reviews (imported annotations are pending) or history. The article is found by its url."""
    article = approved[0].article
    article.url = "https://news.example/mixed"
    article.save(update_fields=["url"])
    response = client_for(consumer).get("/api/exports/annotations.jsonl")
    exported = b"".join(response.streaming_content)
    (tmp_path / "export.jsonl").write_bytes(exported)
    before = [json.loads(line) for line in exported.splitlines()]
    for annotation in approved:
        annotation_delete(actor=admin_user, annotation_id=annotation.pk)
    call_command("import_annotations", str(tmp_path / "export.jsonl"), "--format", "copydesk-jsonl", "--user", "alice")
    kept = ["kind", "start", "end", "quote", "entity_type", "artifact_type", "suggested_correction", "severity",
            "claimant", "rating", "rating_explanation", "claim_date", "note", "prefix", "suffix"]  # fmt: skip
    after = client_for(annotator).get("/api/annotations/", {"status": "pending", "article": article.pk}).json()
    imported = {r["start"]: r for r in after["results"] if r["origin"] == "import"}
    assert len(imported) == len(before)
    for record in before:
        again = imported[record["start"]]
        assert {k: again.get(k, record[k]) for k in kept if k not in ("prefix", "suffix")} == {
            k: record[k] for k in kept if k not in ("prefix", "suffix")
        }
        assert again["status"] == "pending" and again["created_by"] == "alice"


def test_a_failed_file_is_named_with_its_records_and_the_others_are_stored(annotator, tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": "Kishida met Zelensky.", "label": [[0, 7, "PERSON"]]}) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Kishida met Zelensky again.", "label": [[12, 20, "WHO"]]}) + "\n{oops\n")
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_annotations", str(good), str(bad), "--format", "doccano", "--user", "alice")
    err = capsys.readouterr().err
    assert f"{bad}: line 1, label 1: the label 'WHO' maps to no kind" in err
    assert f"{bad}: line 2: not JSON" in err
    assert list(Annotation.objects.values_list("quote", flat=True)) == ["Kishida"]


def test_a_mapping_file_and_an_unknown_user(annotator, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "Kishida met Zelensky.", "label": [[12, 20, "WHO"]]}) + "\n")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"WHO": "PERSON"}))
    call_command("import_annotations", str(data), "--format", "doccano", "--user", "alice", "--mapping", str(mapping))
    assert Annotation.objects.get().entity_type == "PERSON"
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("import_annotations", str(data), "--format", "doccano", "--user", "nobody")
    mapping.write_text(json.dumps({"WHO": "ALIEN"}))
    with pytest.raises(CommandError, match="--mapping"):
        call_command(
            "import_annotations", str(data), "--format", "doccano", "--user", "alice", "--mapping", str(mapping)
        )


def test_a_brat_folder(annotator, tmp_path):
    folder = tmp_path / "brat"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_bytes(b"Kishida met Zelensky.\r\n")
    (folder / "sub" / "a.ann").write_text("T1\tPERSON 12 20\tZelensky\n#1\tAnnotatorNotes T1\tthe president\n")
    call_command("import_annotations", str(folder), "--format", "brat", "--user", "alice")
    annotation = Annotation.objects.get()
    assert (annotation.quote, annotation.entity_type, annotation.article.title) == ("Zelensky", "PERSON", "a")
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_annotations", str(folder), "--format", "doccano", "--user", "alice")
