"""Benchmark `manage.py import_annotations` on PostgreSQL: wall time, records a second, and the
command's peak memory, each file imported into a fresh copy of the benchmark's articles with
no annotations (so that nothing it holds is a duplicate).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench \\
        .venv/bin/python manage.py make_benchmark_data --annotations 1333334
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench \\
        .venv/bin/python bench/import_bench.py --records 100000 --records 1000000
    # any other file, e.g. Label Studio's export of the same database:
    DATABASE_URL=... .venv/bin/python manage.py export_annotations --format label-studio --output /tmp/ls.json
    DATABASE_URL=... .venv/bin/python bench/import_bench.py --file /tmp/ls.json --format label-studio

For `--records N` the file is Copydesk's JSONL export record of the first N annotations of the
database of DATABASE_URL, whatever their status (the export itself holds approved ones only),
written once to /tmp. The articles-only copy (`copydesk_import_base`) is made once from that
database (CREATE DATABASE ... TEMPLATE: nothing else may be connected to it then). Not part of
the test suite.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402

from annotations.interchange.jsonl import jsonl_lines_postgres  # noqa: E402
from annotations.interchange.stream import gathered  # noqa: E402
from annotations.models import Annotation  # noqa: E402

BASE, TARGET = "copydesk_import_base", "copydesk_import"
# What a copy of the articles must not carry: every annotation and what refers to one.
EMPTIED = (
    "annotations_annotation, annotations_annotationevent, annotations_change, annotations_articleerrortally, "
    "annotations_claimgroup, annotations_deletedannotation, annotations_webhookdelivery"
)


def admin():
    params = connection.get_connection_params()
    return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)


def url_of(database: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{database}"))


def articles_only_copy(source: str) -> None:
    with admin() as server:
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BASE]).fetchone():
            return
        server.execute(f"CREATE DATABASE {BASE} TEMPLATE {source}")
    with psycopg.connect(url_of(BASE), autocommit=True) as base:
        base.execute(f"TRUNCATE {EMPTIED} CASCADE")
        base.execute("VACUUM ANALYZE")


def records_file(count: int) -> Path:
    path = Path(f"/tmp/copydesk_import_{count}.jsonl")  # noqa: S108 - a benchmark's scratch file
    if not path.exists():
        first = Annotation.objects.order_by("id").values("id")[:count]
        with path.open("wb") as file:
            for piece in gathered(jsonl_lines_postgres(Annotation.objects.filter(id__in=first).order_by("id"))):
                file.write(piece)
    return path


def fresh_target() -> str:
    with admin() as server:
        server.execute(f"DROP DATABASE IF EXISTS {TARGET}")
        server.execute(f"CREATE DATABASE {TARGET} TEMPLATE {BASE}")
    url = url_of(TARGET)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                   check=True)  # fmt: skip
    return url


def import_once(path: Path, fmt: str) -> dict:
    url = fresh_target()
    command = ["/usr/bin/time", "-v", sys.executable, "manage.py", "import_annotations", str(path),
               "--format", fmt, "--user", "bench-annotator-00"]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)  # noqa: S603
    wall = time.monotonic() - started
    if done.returncode:
        sys.exit(f"import failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    made = re.search(
        r": (\d+) annotations, (\d+) articles created in ([\d.]+) s \(read and checked in ([\d.]+) s", done.stdout
    )
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    with psycopg.connect(url) as target:
        stored = target.execute("SELECT COUNT(*) FROM annotations_annotation").fetchone()[0]
        events = target.execute("SELECT COUNT(*) FROM annotations_annotationevent").fetchone()[0]
    return {
        "file": path.name,
        "size_mb": path.stat().st_size / 1e6,
        "annotations": int(made.group(1)),
        "stored": stored,
        "events": events,
        "wall": wall,
        "took": float(made.group(3)),  # the import itself, the command's start-up aside
        "reading": float(made.group(4)),
        "peak_mb": peak_kb / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, action="append", default=[], help="a copydesk-jsonl file of N records")
    parser.add_argument("--file", type=Path, action="append", default=[], help="a file to import as it is")
    parser.add_argument("--format", default="copydesk-jsonl", help="the --file's format")
    options = parser.parse_args()
    source = connection.settings_dict["NAME"]
    articles_only_copy(source)
    runs = [(records_file(n), "copydesk-jsonl") for n in options.records]
    runs += [(path, options.format) for path in options.file]
    print(f"{platform.node()}: {os.cpu_count()} CPUs, {os.getloadavg()[0]:.2f} load; articles from {source}")
    print("| file | MB | annotations (events) | wall | a second | read and checked | stored | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for path, fmt in runs:
        r = import_once(path, fmt)
        assert r["stored"] == r["events"] == r["annotations"], r
        print(
            f"| {r['file']} ({fmt}) | {r['size_mb']:,.0f} | {r['annotations']:,} ({r['events']:,}) | {r['wall']:.1f} s "
            f"| {r['annotations'] / r['wall']:,.0f} | {r['reading']:.1f} s | {r['took'] - r['reading']:.1f} s "
            f"| {r['peak_mb']:,.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
