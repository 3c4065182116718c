"""Benchmark the peer exports (Label Studio, doccano, brat) against their COPY floors, served.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench .venv/bin/python bench/peer_exports_bench.py

Starts gunicorn (one sync worker, BENCH_PORT, 8772 unless given) on the database of
DATABASE_URL (only read: no row is written but the bench user's token) and, for each format,
measures just before its export over HTTP its floor: PostgreSQL's own COPY of the same rows in
that format, from SQL written here by hand (not the app's), read by psycopg in this process
under the export's planner settings:

- label-studio: COPY of each article's task, built by JSON_BUILD_OBJECT / JSON_AGG grouped by
  article; the export adds the list's brackets and commas.
- doccano: COPY of each article's line, offsets shifted to UTF-16 units in the same SQL.
- brat: a binary COPY of each article's id, body and .ann lines, plus what zipfile costs to put
  them in a zip with the export's compression (peer_exports.BRAT_COMPRESSION): a zip is nothing
  PostgreSQL can write, so its floor is the rows and the archive, both unavoidable. The COPY
  alone and the zip alone are shown too.

Prints a row per run and format: seconds, the export's over the floor's, MB, time to first
byte, the worker's resident memory before and at its peak. BENCH_RUNS (3) runs back to back;
BENCH_FORMATS (label-studio,doccano,brat) chooses; BENCH_PYTHON_PATH=1 first times the Python
path (SQLite's) in process, for comparison. Not part of the test suite.
"""

import os
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("BENCH_PORT", "8772")

from django.db import connection, transaction
from export_bench import (  # sets Django up, before the models are imported
    get,
    machine,
    measure_export,
    server_setting,
    start_server,
    token_for,
    worker_pid,
)

from annotations.interchange import peer_exports
from annotations.interchange.stream import _COPY_PLANNING, _COPY_VERBATIM
from annotations.models import Annotation, Article, Status

LABEL = "CASE a.kind WHEN 'entity' THEN a.entity_type WHEN 'claim' THEN 'CLAIM' ELSE UPPER(a.artifact_type) END"
APPROVED = "FROM annotations_annotation a WHERE a.status = 'approved' GROUP BY a.article_id"
ASTRAL = r"'[\U00010000-\U0010FFFF]'"

LABEL_STUDIO_SQL = f"""
SELECT JSON_BUILD_OBJECT(
  'data', JSON_BUILD_OBJECT('text', ar.body, 'title', ar.title, 'url', ar.url, 'copydesk_article', ar.id),
  'annotations', JSON_BUILD_ARRAY(JSON_BUILD_OBJECT('result', g.regions)))
FROM (SELECT a.article_id, JSON_AGG(JSON_BUILD_OBJECT(
        'id', 'copydesk-' || a.id, 'from_name', 'label', 'to_name', 'text', 'type', 'labels', 'origin', 'manual',
        'value', JSON_BUILD_OBJECT('start', a.start, 'end', a."end", 'text', a.quote,
                                   'labels', JSON_BUILD_ARRAY({LABEL}))) ORDER BY a.id) AS regions
      {APPROVED}) AS g
JOIN annotations_article ar ON ar.id = g.article_id
ORDER BY g.article_id
"""

DOCCANO_SQL = f"""
SELECT JSON_BUILD_OBJECT('text', ar.body, 'label', l.labels, 'url', ar.url, 'title', ar.title)
FROM (SELECT a.article_id, ARRAY_AGG(a.start ORDER BY a.id) AS s, ARRAY_AGG(a."end" ORDER BY a.id) AS e,
             ARRAY_AGG({LABEL} ORDER BY a.id) AS l
      {APPROVED}) AS g
JOIN annotations_article ar ON ar.id = g.article_id
CROSS JOIN LATERAL (SELECT CASE WHEN ar.body ~ {ASTRAL} THEN (
    SELECT ARRAY_AGG(x.at ORDER BY x.n) FROM (
      SELECT t.n, SUM(CHAR_LENGTH(t.piece)) OVER (ORDER BY t.n) + t.n - 1 AS at, COUNT(*) OVER () AS pieces
      FROM REGEXP_SPLIT_TO_TABLE(ar.body, {ASTRAL}) WITH ORDINALITY AS t(piece, n)) AS x
    WHERE x.n < x.pieces) END AS astral OFFSET 0) AS p
CROSS JOIN LATERAL (SELECT JSON_AGG(JSON_BUILD_ARRAY(
    u.s + COALESCE(WIDTH_BUCKET(u.s - 1, p.astral), 0), u.e + COALESCE(WIDTH_BUCKET(u.e - 1, p.astral), 0), u.l)
    ORDER BY u.n) FROM UNNEST(g.s, g.e, g.l) WITH ORDINALITY AS u(s, e, l, n)) AS l(labels)
ORDER BY g.article_id
"""

BRAT_SQL = f"""
SELECT ar.id, ar.body, l.ann
FROM (SELECT a.article_id, ARRAY_AGG({LABEL} || ' ' ||
        CASE WHEN STRPOS(a.quote, E'\\n') = 0 THEN a.start || ' ' || a."end" || E'\\t' || a.quote
        ELSE COALESCE((SELECT STRING_AGG(x.at || ' ' || (x.at + CHAR_LENGTH(x.part)), ';' ORDER BY x.n)
                              || E'\\t' || STRING_AGG(x.part, ' ' ORDER BY x.n)
          FROM (SELECT p.part, p.n,
                       a.start + SUM(CHAR_LENGTH(p.part) + 1) OVER (ORDER BY p.n) - CHAR_LENGTH(p.part) - 1 AS at
                FROM UNNEST(STRING_TO_ARRAY(a.quote, E'\\n')) WITH ORDINALITY AS p(part, n)) AS x
          WHERE x.part <> ''), E'\\t') END ORDER BY a.id) AS lines
      {APPROVED}) AS g
JOIN annotations_article ar ON ar.id = g.article_id
CROSS JOIN LATERAL (SELECT STRING_AGG('T' || u.n || E'\\t' || u.line || E'\\n', '' ORDER BY u.n)
                    FROM UNNEST(g.lines) WITH ORDINALITY AS u(line, n)) AS l(ann)
ORDER BY g.article_id
"""

EXPORTS = {"label-studio": "label-studio.json", "doccano": "doccano.jsonl", "brat": "brat.zip"}


class Sink:
    """A file that counts what zipfile writes to it and keeps nothing."""

    def __init__(self):
        self.written = 0

    def write(self, data) -> int:
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self):
        pass


def planned(cursor):
    """The export's session: its planner settings (stream.reading and stream._COPY_PLANNING)."""
    cursor.execute("SET LOCAL jit = off")
    for setting in _COPY_PLANNING:
        cursor.execute(setting)


def floor_lines(sql: str) -> dict:
    """A one-column SELECT's rows by COPY, as the export reads them."""
    started, size, rows = time.perf_counter(), 0, 0
    with transaction.atomic(), connection.cursor() as cursor:
        planned(cursor)
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT {_COPY_VERBATIM}") as copy:
            for block in copy:
                size += len(block)
                rows += 1
    return {"seconds": time.perf_counter() - started, "bytes": size, "rows": rows}


def floor_brat(zip_them: bool) -> dict:
    """The .txt and .ann of each article by binary COPY, and, if `zip_them`, zipped as the export does."""
    started, size, rows, sink = time.perf_counter(), 0, 0, Sink()
    with transaction.atomic(), connection.cursor() as cursor:
        planned(cursor)
        with (
            cursor.cursor.copy(f"COPY ({BRAT_SQL}) TO STDOUT (FORMAT binary)") as copy,
            zipfile.ZipFile(sink, "w", **peer_exports.BRAT_COMPRESSION) as archive,
        ):
            copy.set_types(["int8", "bytea", "bytea"])
            for article_id, text, ann in copy.rows():
                rows += 1
                size += len(text) + len(ann)
                if zip_them:
                    archive.writestr(f"article-{article_id}.txt", text)
                    archive.writestr(f"article-{article_id}.ann", ann)
    return {"seconds": time.perf_counter() - started, "bytes": sink.written if zip_them else size, "rows": rows}


def zip_alone() -> float:
    """What zipfile alone takes over the brat rows (held in memory first, for this measure only)."""
    with transaction.atomic(), connection.cursor() as cursor:
        planned(cursor)
        with cursor.cursor.copy(f"COPY ({BRAT_SQL}) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["int8", "bytea", "bytea"])
            rows = list(copy.rows())
    started = time.perf_counter()
    with zipfile.ZipFile(Sink(), "w", **peer_exports.BRAT_COMPRESSION) as archive:
        for article_id, text, ann in rows:
            archive.writestr(f"article-{article_id}.txt", text)
            archive.writestr(f"article-{article_id}.ann", ann)
    return time.perf_counter() - started


def floor(fmt: str) -> dict:
    if fmt == "brat":
        return floor_brat(zip_them=True)
    return floor_lines({"label-studio": LABEL_STUDIO_SQL, "doccano": DOCCANO_SQL}[fmt])


def python_path(fmt: str) -> float:
    """The Python path's time for the same file, in this process (what SQLite runs, and what
    PostgreSQL ran before the database built these files)."""
    annotations = Annotation.objects.filter(status=Status.APPROVED)
    started = time.perf_counter()
    if fmt == "label-studio":
        pieces = peer_exports.in_pieces(peer_exports.label_studio_texts(annotations))
    elif fmt == "doccano":
        pieces = peer_exports.in_pieces(peer_exports.doccano_texts(annotations))
    else:
        pieces = peer_exports.brat_zip(peer_exports.brat_files(annotations))
    for _ in pieces:
        pass
    return time.perf_counter() - started


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main():
    formats = [fmt for fmt in os.environ.get("BENCH_FORMATS", ",".join(EXPORTS)).split(",") if fmt]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    token = token_for("bench-consumer", "consumer")
    approved = Annotation.objects.filter(status=Status.APPROVED).count()
    print(machine())
    print(
        f"PostgreSQL {server_setting('server_version')}; {Article.objects.count()} articles, "
        f"{Annotation.objects.count()} annotations, {approved} approved"
    )
    print(f"load before: {load()} (1, 5, 15 min)")
    if "brat" in formats:
        copy_only = floor_brat(zip_them=False)
        print(
            f"brat parts: COPY alone {copy_only['seconds']:.2f} s ({copy_only['bytes'] / 1e6:.0f} MB of .txt and "
            f".ann), zipfile alone {zip_alone():.2f} s"
        )
    if os.environ.get("BENCH_PYTHON_PATH"):
        for fmt in formats:
            print(f"{fmt}: the Python path, in process: {python_path(fmt):.2f} s", flush=True)
    server = start_server()
    results = []
    try:
        pid = worker_pid(server.pid)
        get("/api/annotations/?page_size=1", token).read()  # warm the worker
        print(
            f"{'run':>3} {'format':<13} {'floor s':>8} {'export s':>9} {'ratio':>6} {'floor MB':>9} {'MB':>6} "
            f"{'1st byte':>9} {'RSS before':>11} {'peak':>6}"
        )
        for run in range(1, runs + 1):
            for fmt in formats:
                base = floor(fmt)
                result = measure_export(token, pid, EXPORTS[fmt])
                ratio = result["seconds"] / base["seconds"]
                results.append((fmt, ratio))
                print(
                    f"{run:>3} {fmt:<13} {base['seconds']:8.2f} {result['seconds']:9.2f} {ratio:5.2f}x "
                    f"{base['bytes'] / 1e6:9.0f} {result['bytes'] / 1e6:6.0f} {result['ttfb'] * 1000:6.0f} ms "
                    f"{result['rss_before']:8.0f} MB {result['peak']:3.0f} MB",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait()
    for fmt in formats:
        ratios = sorted(ratio for name, ratio in results if name == fmt)
        print(
            f"{fmt}: export / floor {', '.join(f'{r:.2f}x' for r in ratios)} (median {ratios[len(ratios) // 2]:.2f}x)"
        )
    print(f"load after: {load()}")


if __name__ == "__main__":
    sys.exit(main())
