"""export_annotations: the API's exporters and filters, written to a file."""

import json

import pytest
from django.core.management import CommandError, call_command

# --- management command ---------------------------------------------------------------------


def test_export_command_writes_a_filtered_file(approved, tmp_path):
    """`export_annotations` uses the same exporters and filters as the API."""
    output = tmp_path / "claims.jsonl"
    call_command("export_annotations", "--format", "jsonl", "--output", str(output), "--kind", "claim")
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["id"] for r in records] == [approved[1].pk]
    jsonld = tmp_path / "all.jsonld"
    call_command(
        "export_annotations", "--format", "jsonld", "--output", str(jsonld), "--base-url", "https://cd.example"
    )
    doc = json.loads(jsonld.read_text())
    assert doc["id"] == "https://cd.example/api/exports/annotations.jsonld"
    assert [item["id"] for item in doc["first"]["items"]] == [
        f"https://cd.example/api/annotations/{annotation.pk}/" for annotation in approved
    ]
    target = doc["first"]["items"][0]["target"]
    assert target["source"] == f"https://cd.example/api/articles/{approved[0].article_id}/revisions/1/"
    with pytest.raises(CommandError) as excinfo:
        call_command("export_annotations", "--format", "csv", "--kind", "opinion")
    assert str(excinfo.value) == "kind: Select a valid choice. opinion is not one of the available choices."


def test_export_command_writes_a_csv_for_spreadsheets(approved, tmp_path):
    """--spreadsheet: the API's ?spreadsheet=true, a UTF-8 byte order mark first; CSV only."""
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    call_command("export_annotations", "--format", "csv", "--output", str(plain))
    call_command("export_annotations", "--format", "csv", "--output", str(marked), "--spreadsheet")
    assert marked.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(CommandError, match="--spreadsheet is for --format csv"):
        call_command("export_annotations", "--format", "jsonl", "--spreadsheet")
