"""Benchmark the JSONL export and filtered list pages against a served copy of the app.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench \\
        .venv/bin/python manage.py make_benchmark_data --annotations 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench .venv/bin/python bench/export_bench.py

Starts gunicorn (one sync worker) on the database of DATABASE_URL and prints:
the export's rows per second and time against the floor, PostgreSQL's own
`COPY (SELECT row_to_json(...)) TO STDOUT` of the same rows read by psycopg;
time to first byte; the worker's peak resident memory while streaming; and the
median latency of filtered list pages. Not part of the test suite.
"""

import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from annotations.models import Annotation, Status  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
LIST_QUERIES = [
    "",
    "?kind=claim",
    "?kind=entity&entity_type=PERSON&entity_type=ORG",
    "?artifact_type=literal_rendering",
    "?source=Kyodo",
    "?source=Reuters&language=en&kind=claim",
    "?created_by=bench-annotator-07",
    "?reviewed_by=bench-reviewer-03&ordering=-reviewed_at",
    # Date windows, placed within the data's own span (it ends when it was generated):
    "?created_after={quarter_in}&created_before={quarter_in_plus_30d}",  # a month, early
    "?created_after={last_30d}&created_before={newest}",  # the last month
    "?created_after={last_270d}",  # the last 9 months, a wide window late in id order
    "?created_before={first_plus_90d}&ordering=-id",  # the first 3 months, newest first
    "?reviewed_after={last_7d}",  # reviewed in the last week
    "?reviewed_after={first_plus_30d}&ordering=-created_at",  # nearly all
    "?q=ceasefire",
    "?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0",  # Москва
    "?ordering=start",
    "?ordering=-id&page=20",
    "?page_size=500",
]
# A reviewer's queue: every status is visible, so no page leans on status = 'approved'.
REVIEWER_QUERIES = [
    "?status=pending",
    "?status=pending&kind=translation_artifact",
    "?status=pending&created_by=bench-annotator-07",
    "?status=pending&created_after={last_7d}",
    "?status=pending&ordering=-created_at",
    "?status=rejected&reviewed_after={last_30d}&ordering=-reviewed_at",
    "?status=pending&q=ceasefire",
    "?created_after={quarter_in}&created_before={quarter_in_plus_30d}",
]
# The articles' list: each article's annotation counts, and `q` over titles and bodies.
ARTICLE_QUERIES = ["", "?source=Kyodo", "?q=ceasefire", "?q=Kishida", "?page=40", "?page_size=500"]
# The floor: the same rows and columns, made JSON by PostgreSQL alone, no context.
FLOOR_SQL = """
COPY (SELECT row_to_json(t) FROM (
  SELECT a.id, a.article_id AS article, a.kind, a.start, a."end", a.quote,
         NULLIF(a.entity_type, '') AS entity_type, NULLIF(a.artifact_type, '') AS artifact_type,
         a.suggested_correction, a.claimant, a.note, a.status, cu.username AS created_by,
         a.created_at, a.updated_at, ru.username AS reviewed_by, a.reviewed_at, a.review_comment,
         ar.title AS article_title, ar.source, ar.url, ar.published_at
  FROM annotations_annotation a
  JOIN annotations_article ar ON ar.id = a.article_id
  JOIN auth_user cu ON cu.id = a.created_by_id
  LEFT JOIN auth_user ru ON ru.id = a.reviewed_by_id
  WHERE a.status = 'approved' ORDER BY a.id) t) TO STDOUT
"""


def token_for(username: str, role: str) -> str:
    call_command("adduser", username, role=role, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Token.objects.get(user__username=username).key


def start_server() -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(ROOT / ".venv/bin/gunicorn"), "project.wsgi", "-w", "1", "-b", f"127.0.0.1:{PORT}", "--timeout", "600"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/api/health/", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(path: str, token: str):
    request = urllib.request.Request(f"{BASE}{path}", headers={"Authorization": f"Token {token}"})
    return urllib.request.urlopen(request, timeout=600)


def measure_export(token: str, pid: int, fmt: str = "jsonl") -> dict:
    peak, stop = [rss_mb(pid)], threading.Event()
    before = peak[0]

    def sample():
        while not stop.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    response = get(f"/api/exports/annotations.{fmt}", token)
    first = response.read(1)
    ttfb = time.perf_counter() - started
    lines, size = first.count(b"\n"), len(first)
    while block := response.read(1 << 16):
        lines += block.count(b"\n")
        size += len(block)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {"rows": lines, "bytes": size, "seconds": elapsed, "ttfb": ttfb, "rss_before": before, "peak": max(peak)}


def measure_floor() -> tuple[int, float]:
    started, rows = time.perf_counter(), 0
    with connection.cursor() as cursor, cursor.cursor.copy(FLOOR_SQL) as copy:
        for block in copy:
            rows += 1 if block else 0
    return rows, time.perf_counter() - started


def data_dates() -> dict[str, str]:
    """Dates within the benchmark data's span, for LIST_QUERIES' windows."""
    span = Annotation.objects.aggregate(first=Min("created_at"), newest=Max("created_at"))
    first, newest = span["first"], span["newest"]
    dates = {
        "quarter_in": first + (newest - first) / 4,
        "newest": newest,
        "first_plus_30d": first + timedelta(days=30),
        "first_plus_90d": first + timedelta(days=90),
        **{f"last_{days}d": newest - timedelta(days=days) for days in (7, 30, 270)},
    }
    dates["quarter_in_plus_30d"] = dates["quarter_in"] + timedelta(days=30)
    return {name: f"{moment:%Y-%m-%dT%H:%M:%SZ}" for name, moment in dates.items()}


def measure_lists(token: str, path: str, queries: list[str], repeat: int = 7) -> list[tuple[str, float, int]]:
    results = []
    dates = data_dates()
    for query in (query.format(**dates) for query in queries):
        timings, count = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            body = get(f"{path}{query}", token).read()
            timings.append((time.perf_counter() - started) * 1000)
            count = body[: body.find(b",")].decode()
        results.append((query or "(no filter)", statistics.median(timings), count))
    return results


def machine() -> str:
    """The line every benchmark opens with: which machine and Python measured."""
    return (
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


def server_setting(name: str) -> str:
    """A PostgreSQL setting as the server shows it (SHOW name)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def main():
    token = token_for("bench-consumer", "consumer")
    reviewer = token_for("bench-desk-reviewer", "reviewer")
    approved = Annotation.objects.filter(status=Status.APPROVED).count()
    print(machine())
    print(
        f"PostgreSQL {server_setting('server_version')}; {Annotation.objects.count()} annotations, {approved} approved"
    )
    # BENCH_FORMATS= (empty) measures the list pages alone.
    formats = [fmt for fmt in os.environ.get("BENCH_FORMATS", "jsonl").split(",") if fmt]
    if formats:
        floor_rows, floor_seconds = measure_floor()
        print(
            f"floor: COPY row_to_json: {floor_rows} rows in {floor_seconds:.2f} s "
            f"({floor_rows / floor_seconds:,.0f} rows/s)"
        )
    server = start_server()
    try:
        pid = worker_pid(server.pid)
        get("/api/annotations/?page_size=1", token).read()  # warm the worker
        for fmt in formats:
            result = measure_export(token, pid, fmt)
            rate = result["rows"] / result["seconds"]
            print(
                f"export {fmt}: {result['rows']} lines, {result['bytes'] / 1e6:.0f} MB in {result['seconds']:.2f} s "
                f"({rate:,.0f} rows/s); time to first byte {result['ttfb'] * 1000:.0f} ms; "
                f"worker RSS {result['rss_before']:.0f} MB before, peak {result['peak']:.0f} MB"
            )
            if fmt == "jsonl":
                print(f"  jsonl / floor: {result['seconds'] / floor_seconds:.2f}x")
        lists = [
            ("consumer", "/api/annotations/", LIST_QUERIES, token),
            ("reviewer", "/api/annotations/", REVIEWER_QUERIES, reviewer),
            ("consumer", "/api/articles/", ARTICLE_QUERIES, token),
        ]
        for role, path, queries, user_token in lists:
            print(f"list pages (median of 7, {role}, page_size 50 unless given):")
            for query, median, count in measure_lists(user_token, path, queries):
                print(f"  {median:7.1f} ms  {count:>18}  {path}{query if query.startswith('?') else ''}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
