"""Benchmark every export format served over HTTP against its COPY floor (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench .venv/bin/python bench/export_formats_bench.py

Starts gunicorn (one sync worker, BENCH_PORT, 8771 unless given) on the database of
DATABASE_URL, which it only reads (it uses the bench-consumer's token, and creates that user only
where it is missing). For each run and format it measures, back to back, the floor and then the
export over HTTP: seconds, the export's over the floor's, MB of each, time to first byte, and the
worker's resident memory before and at its peak.

The floors are PostgreSQL's own COPY of the same rows in the format, from SQL written here by hand
(not the app's), read by psycopg in this process under the export's planner settings:

- jsonl: `ROW_TO_JSON` of each record's fields, a line each.
- csv: COPY's CSV writer over the same cells (formula starts neutralised, times, dates and
  floats spelled as the export spells them), with its header; the export adds a CR per record.
- jsonld: each Web Annotation's JSON concatenated as text, a line each; the export adds the
  collection's head, the items' commas and its closing brackets.
- label-studio, doccano, brat: bench/peer_exports_bench.py's floors (each article's task or line
  built by the database; brat's rows plus zipfile's deflate).

BENCH_RUNS (3) runs; BENCH_FORMATS (jsonl,csv,jsonld,label-studio,doccano,brat) chooses.
BENCH_PARTS=1 first measures, in process, what the CSV's CRLF record ends cost over COPY's rows
(and what the quote-counting alternative would), and the JSON-LD items built by JSON_BUILD_OBJECT
against the concatenated text. Not part of the test suite.
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_PORT", "8771")

from django.db import connection, transaction
from export_bench import get, machine, measure_export, server_setting, start_server, token_for, worker_pid
from peer_exports_bench import floor as peer_floor
from rest_framework.authtoken.models import Token

from annotations.domain.quality import MQM_ERROR_TYPES
from annotations.interchange.csv import crlf_rows
from annotations.interchange.stream import _COPY_PLANNING, _COPY_VERBATIM, gathered
from annotations.models import Annotation, Status

BASE = f"http://127.0.0.1:{os.environ['BENCH_PORT']}"
CONSUMER = "bench-consumer"
EXPORTS = {
    "jsonl": "jsonl",
    "csv": "csv",
    "jsonld": "jsonld",
    "label-studio": "label-studio.json",
    "doccano": "doccano.jsonl",
    "brat": "brat.zip",
}

FROM = """
FROM annotations_annotation a
JOIN annotations_article ar ON ar.id = a.article_id
JOIN auth_user cu ON cu.id = a.created_by_id
LEFT JOIN auth_user ru ON ru.id = a.reviewed_by_id
WHERE a.status = 'approved' ORDER BY a.id
"""
MQM = "CASE a.artifact_type " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in MQM_ERROR_TYPES.items()) + " END"


def iso(column: str) -> str:
    return f"REPLACE(TO_CHAR({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"


def record_columns(text, date, number) -> str:
    """The export record's fields in order, each text column through `text`, the date through
    `date`, the float through `number`."""
    return f"""
  a.id, a.article_id AS article, {text("a.kind")} AS kind, a.start, a."end", {text("a.quote")} AS quote,
  {text("NULLIF(a.entity_type, '')")} AS entity_type, {text("NULLIF(a.artifact_type, '')")} AS artifact_type,
  {text("a.suggested_correction")} AS suggested_correction, {text("NULLIF(a.severity, '')")} AS severity,
  {text("a.claimant")} AS claimant, {text("NULLIF(a.rating, '')")} AS rating,
  {text("a.rating_explanation")} AS rating_explanation, {date("a.claim_date")} AS claim_date,
  a.claim_group_id AS claim_group, {text("a.note")} AS note, {text("a.origin")} AS origin, {text("a.model")} AS model,
  {number("a.confidence")} AS confidence, {text("a.status")} AS status, {text("cu.username")} AS created_by,
  {iso("a.created_at")} AS created_at, {iso("a.updated_at")} AS updated_at, {text("ru.username")} AS reviewed_by,
  {iso("a.reviewed_at")} AS reviewed_at, {text("a.review_comment")} AS review_comment, a.revision,
  a.fixed_in_revision, {text("ar.title")} AS article_title, {text("ar.source")} AS source, {text("ar.url")} AS url,
  {iso("ar.published_at")} AS published_at, {text("a.prefix")} AS prefix, {text("a.suffix")} AS suffix,
  {text(MQM)} AS mqm_error_type"""


def as_is(column: str) -> str:
    return column


def neutralised(column: str) -> str:
    """A text cell: a formula's start after an apostrophe; '' as NULL, which COPY writes as nothing."""
    return f"NULLIF(CASE WHEN LEFT({column}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || {column} ELSE {column} END, '')"  # noqa: E501


def iso_date(column: str) -> str:
    return f"TO_CHAR({column}, 'YYYY-MM-DD')"


def python_float(column: str) -> str:
    return f"REGEXP_REPLACE({column}::text, '^(-?[0-9]+)$', '\\1.0')"


JSONL_SQL = f"SELECT ROW_TO_JSON(t) FROM (SELECT {record_columns(as_is, as_is, as_is)} {FROM}) AS t"
CSV_SQL = f"SELECT {record_columns(neutralised, iso_date, python_float)} {FROM}"


def json_text(column: str) -> str:
    return f"TO_JSON({column})::text"


def optional_body(purpose: str, column: str) -> str:
    return (
        f"""', {{"type": "TextualBody", "purpose": "{purpose}", "value": ' || """
        f"TO_JSON(NULLIF({column}, ''))::text || '}}'"
    )


JSONLD_SQL = f"""SELECT CONCAT(
  '{{"id": "{BASE}/api/annotations/', a.id, '/", "type": "Annotation", "motivation": "tagging", "created": ',
  {json_text(iso("a.created_at"))}, ', "modified": ', {json_text(iso("a.updated_at"))}, ', "creator": ',
  CASE WHEN a.origin = 'machine'
    THEN CONCAT('{{"type": "Software", "name": ', {json_text("COALESCE(NULLIF(a.model, ''), 'an unnamed model')")},
                ', "nickname": ', {json_text("cu.username")}, '}}')
    ELSE CONCAT('{{"type": "Person", "nickname": ', {json_text("cu.username")}, '}}') END,
  ', "body": [{{"type": "TextualBody", "purpose": "tagging", "value": ', {json_text("a.kind")}, '}}',
  {optional_body("tagging", "a.entity_type")}, {optional_body("tagging", "a.artifact_type")},
  {optional_body("assessing", "a.rating")}, {optional_body("assessing", "a.severity")},
  {optional_body("classifying", MQM)}, {optional_body("commenting", "a.note")},
  {optional_body("editing", "a.suggested_correction")},
  '], "target": {{"source": "{BASE}/api/articles/', a.article_id, '/revisions/', a.revision,
  '/", "scope": "{BASE}/api/articles/', a.article_id,
  '/", "selector": [{{"type": "TextQuoteSelector", "exact": ', {json_text("a.quote")},
  ', "prefix": ' || TO_JSON(NULLIF(a.prefix, ''))::text, ', "suffix": ' || TO_JSON(NULLIF(a.suffix, ''))::text,
  '}}, {{"type": "TextPositionSelector", "start": ', a.start, ', "end": ', a."end", '}}]',
  ', "articleUrl": ' || TO_JSON(NULLIF(ar.url, ''))::text, '}}',
  ', "claimant": ' || TO_JSON(NULLIF(a.claimant, ''))::text,
  ', "ratingExplanation": ' || TO_JSON(NULLIF(a.rating_explanation, ''))::text,
  ', "claimDate": ' || TO_JSON({iso_date("a.claim_date")})::text,
  ', "confidence": ' || {python_float("a.confidence")}, '}}')
{FROM}"""


def json_built(purpose: str, column: str) -> str:
    body = f"JSON_BUILD_OBJECT('type', 'TextualBody', 'purpose', '{purpose}', 'value', {column})::text"
    return f"CASE WHEN {column} <> '' THEN {body} END"


# The same items built by JSON_BUILD_OBJECT (the body list by text, as JSON has no "leave out
# NULL" for arrays), for BENCH_PARTS: what the concatenation saves.
JSONLD_BUILT_SQL = f"""SELECT JSON_BUILD_OBJECT(
  'id', '{BASE}/api/annotations/' || a.id || '/', 'type', 'Annotation', 'motivation', 'tagging',
  'created', {iso("a.created_at")}, 'modified', {iso("a.updated_at")},
  'creator', CASE WHEN a.origin = 'machine'
    THEN JSON_BUILD_OBJECT('type', 'Software', 'name', COALESCE(NULLIF(a.model, ''), 'an unnamed model'),
                           'nickname', cu.username)
    ELSE JSON_BUILD_OBJECT('type', 'Person', 'nickname', cu.username) END,
  'body', ('[' || CONCAT_WS(',', JSON_BUILD_OBJECT('type', 'TextualBody', 'purpose', 'tagging', 'value', a.kind)::text,
    {json_built("tagging", "a.entity_type")}, {json_built("tagging", "a.artifact_type")},
    {json_built("assessing", "a.rating")}, {json_built("assessing", "a.severity")},
    {json_built("classifying", MQM)}, {json_built("commenting", "a.note")},
    {json_built("editing", "a.suggested_correction")}) || ']')::json,
  'target', JSON_BUILD_OBJECT(
    'source', '{BASE}/api/articles/' || a.article_id || '/revisions/' || a.revision || '/',
    'scope', '{BASE}/api/articles/' || a.article_id || '/',
    'selector', JSON_BUILD_ARRAY(
      JSON_STRIP_NULLS(JSON_BUILD_OBJECT('type', 'TextQuoteSelector', 'exact', a.quote,
                                         'prefix', NULLIF(a.prefix, ''), 'suffix', NULLIF(a.suffix, ''))),
      JSON_BUILD_OBJECT('type', 'TextPositionSelector', 'start', a.start, 'end', a."end"))))
{FROM}"""

FLOORS = {
    "jsonl": (JSONL_SQL, _COPY_VERBATIM),
    "csv": (CSV_SQL, "WITH (FORMAT csv, HEADER true)"),
    "jsonld": (JSONLD_SQL, _COPY_VERBATIM),
}


def copied(sql: str, options: str, handle=None) -> dict:
    """A SELECT's rows by COPY read by psycopg under the export's settings; each row given to
    `handle` (an iterator's consumer) if one is."""
    started, cpu, size, rows = time.perf_counter(), time.process_time(), 0, 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for setting in _COPY_PLANNING:
            cursor.execute(setting)
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT {options}") as copy:
            if handle is None:
                for block in copy:
                    size += len(block)
                    rows += 1
            else:
                size = handle(bytes(block) for block in copy)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size, "rows": rows}


def floor(fmt: str) -> dict:
    if fmt in FLOORS:
        return copied(*FLOORS[fmt])
    return peer_floor(fmt)


def crlf_by_quotes(rows):
    """The alternative to crlf_rows: pieces of about 64 KB, LF made CRLF only outside quotes,
    found by counting quotes (their parity carried from piece to piece)."""
    inside = False
    for piece in gathered(rows):
        parts = piece.split(b'"')
        for number in range(0 if not inside else 1, len(parts), 2):
            parts[number] = parts[number].replace(b"\n", b"\r\n")
        inside ^= (len(parts) - 1) % 2 == 1
        yield b'"'.join(parts)


def parts():
    """What CRLF costs the CSV over COPY's rows, in process; JSON-LD's items by concatenation or
    by JSON_BUILD_OBJECT."""

    def through(convert):
        return lambda rows: sum(len(piece) for piece in convert(rows))

    options = FLOORS["csv"][1]
    print(
        "csv, in process, wall s (this process's CPU s): COPY rows / + gathered / + crlf_rows (ours) / "
        "+ quote counting (the alternative)"
    )
    for _ in range(2):
        measured = [
            copied(CSV_SQL, options),
            copied(CSV_SQL, options, through(gathered)),
            copied(CSV_SQL, options, through(lambda rows: gathered(crlf_rows(rows)))),
            copied(CSV_SQL, options, through(crlf_by_quotes)),
        ]
        assert measured[2]["bytes"] == measured[3]["bytes"], measured
        print(
            "  " + " / ".join(f"{m['seconds']:.2f} ({m['cpu']:.2f})" for m in measured),
            f"  ({measured[2]['bytes'] - measured[0]['bytes']:,} CRs added)",
            flush=True,
        )
    print("jsonld items, COPY in process (s): concatenated text / JSON_BUILD_OBJECT")
    for _ in range(2):
        text = copied(JSONLD_SQL, _COPY_VERBATIM)
        built = copied(JSONLD_BUILT_SQL, _COPY_VERBATIM)
        print(f"  {text['seconds']:.2f} / {built['seconds']:.2f}", flush=True)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def consumer_token() -> str:
    token = Token.objects.filter(user__username=CONSUMER).values_list("key", flat=True).first()
    return token or token_for(CONSUMER, "consumer")


def main():
    formats = [fmt for fmt in os.environ.get("BENCH_FORMATS", ",".join(EXPORTS)).split(",") if fmt]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    token = consumer_token()
    approved = Annotation.objects.filter(status=Status.APPROVED).count()
    print(machine())
    print(
        f"PostgreSQL {server_setting('server_version')}; {Annotation.objects.count()} annotations, {approved} approved"
    )
    print(f"load before: {load()} (1, 5, 15 min)", flush=True)
    if os.environ.get("BENCH_PARTS"):
        parts()
    server = start_server()
    results = []
    try:
        pid = worker_pid(server.pid)
        get("/api/annotations/?page_size=1", token).read()  # warm the worker
        print(
            f"{'run':>3} {'format':<13} {'floor s':>8} {'export s':>9} {'ratio':>6} {'floor MB':>9} {'MB':>6} "
            f"{'1st byte':>9} {'RSS before':>11} {'peak':>6}  load",
            flush=True,
        )
        for run in range(1, runs + 1):
            for fmt in formats:
                base = floor(fmt)
                result = measure_export(token, pid, EXPORTS[fmt])
                ratio = result["seconds"] / base["seconds"]
                results.append((fmt, ratio, result))
                print(
                    f"{run:>3} {fmt:<13} {base['seconds']:8.2f} {result['seconds']:9.2f} {ratio:5.2f}x "
                    f"{base['bytes'] / 1e6:9.0f} {result['bytes'] / 1e6:6.0f} {result['ttfb'] * 1000:6.0f} ms "
                    f"{result['rss_before']:8.0f} MB {result['peak']:3.0f} MB  {load()}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait()
    print("format        export / floor, each run (median); first byte, worst; peak RSS, worst")
    for fmt in formats:
        mine = [(ratio, result) for name, ratio, result in results if name == fmt]
        ratios = [ratio for ratio, _ in mine]
        print(
            f"{fmt:<13} {', '.join(f'{r:.2f}x' for r in ratios)} ({statistics.median(ratios):.2f}x); "
            f"{max(result['ttfb'] for _, result in mine) * 1000:.0f} ms; "
            f"{max(result['peak'] for _, result in mine):.0f} MB"
        )
    print(f"load after: {load()}")


if __name__ == "__main__":
    sys.exit(main())
