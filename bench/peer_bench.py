"""Label Studio beside Copydesk: how long a running Label Studio takes to import and to export
the annotations of a Copydesk Label Studio export, over its HTTP API.

Label Studio is not a dependency of this project: it runs from a scratch venv outside it
(../shared/PEERS.md), here 1.23.2 on PostgreSQL under gunicorn:

    python3.11 -m venv /work/peers/ls-venv
    /work/peers/ls-venv/bin/pip install label-studio==1.23.2 gunicorn
    createdb -h 127.0.0.1 -U postgres ls_bench
    export DJANGO_DB=default POSTGRE_NAME=ls_bench POSTGRE_USER=postgres POSTGRE_PASSWORD= \\
        POSTGRE_HOST=127.0.0.1 POSTGRE_PORT=5432 LABEL_STUDIO_BASE_DATA_DIR=/work/peers/ls-data \\
        SENTRY_DSN= FRONTEND_SENTRY_DSN= LATEST_VERSION_CHECK=false COLLECT_ANALYTICS=false \\
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true DJANGO_SETTINGS_MODULE=core.settings.label_studio \\
        SECRET_KEY=ls-bench-scratch
    /work/peers/ls-venv/bin/label-studio init -q --enable-legacy-api-token \\
        --username bench@example.com --password benchpass123 --user-token TOKEN
    cd /work/peers/ls-venv/lib/python3.11/site-packages/label_studio
    /work/peers/ls-venv/bin/gunicorn core.wsgi:application -b 127.0.0.1:8781 -w 2 --timeout 3600 &

Then, with Copydesk's export of the same annotations (an article a task, a task a line):

    .venv/bin/python manage.py export_annotations --format label-studio --output /tmp/ls-tasks.json
    .venv/bin/python bench/peer_bench.py --annotations-file /tmp/ls-tasks.json \\
        --ls-url http://127.0.0.1:8781 --token TOKEN --verify \\
        --ls-db ls_bench --ls-data-dir /work/peers/ls-data --ls-pid $(pgrep -o -f 'gunicorn core.wsgi')

It makes a project whose labelling config has the file's labels (a <Labels> "label" on a
<Text> "text", the names the export uses), POSTs the tasks to /api/projects/{id}/import in
requests of at most --request-mb (Label Studio refuses a body over 250 MB,
DATA_UPLOAD_MAX_MEMORY_SIZE), then GETs /api/projects/{id}/export?exportType=JSON (built whole
before its first byte; Label Studio keeps a copy under its data dir), and prints each step's
wall time and annotations per second, counting labelled spans: Copydesk's annotations, which
Label Studio holds as the regions of one annotation per task (an article). --verify reads the
export back and checks that every span kept its start, end, text and labels and still selects
its text in data.text (code points). Standard library only: any Python 3.11 runs it. Not part
of the test suite.
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

CHUNK = 1 << 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations-file", required=True, type=Path, help="Copydesk's label-studio export")
    parser.add_argument("--ls-url", required=True, help="a running Label Studio, e.g. http://127.0.0.1:8781")
    parser.add_argument("--token", required=True, help="a legacy API token (label-studio init --user-token)")
    parser.add_argument("--request-mb", type=float, default=100, help="largest import request (default 100 MB)")
    parser.add_argument("--verify", action="store_true", help="check every span in Label Studio's export")
    parser.add_argument("--ls-db", help="Label Studio's PostgreSQL database, for its size (psql)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres", help="psql connection")
    parser.add_argument("--ls-data-dir", type=Path, help="LABEL_STUDIO_BASE_DATA_DIR, for its size")
    parser.add_argument("--ls-pid", type=int, help="the gunicorn master's pid, for its workers' memory")
    parser.add_argument("--keep-export", type=Path, help="keep Label Studio's export in this file")
    args = parser.parse_args()
    ls = LabelStudio(args.ls_url.rstrip("/"), args.token)

    sent = scan(args.annotations_file)
    version = ls.get_json("/api/version").get("release", "?")
    before = sizes(args)
    project = ls.post_json(
        "/api/projects", {"title": f"copydesk {time.strftime('%H:%M:%S')}", "label_config": config(sent.labels)}
    )
    print(f"# {machine()}")
    print(
        f"# Label Studio {version} at {args.ls_url}, project {project['id']}: {sent.tasks:,} tasks, "
        f"{sent.regions:,} annotations (labelled spans), {sent.bytes / 1e6:,.1f} MB of tasks"
    )

    started = time.perf_counter()
    requests = imported_tasks = 0
    for body in batches(args.annotations_file, int(args.request_mb * 1e6)):
        answer = ls.post_json(f"/api/projects/{project['id']}/import", body, raw=True)
        requests += 1
        imported_tasks += answer["task_count"]
    import_seconds = time.perf_counter() - started
    if imported_tasks != sent.tasks:
        sys.exit(f"Label Studio took {imported_tasks:,} tasks of {sent.tasks:,}")

    export_file = args.keep_export
    if export_file is None:
        handle, name = tempfile.mkstemp(suffix=".json", prefix="ls-export-")
        os.close(handle)
        export_file = Path(name)
    started = time.perf_counter()
    first_byte, exported_bytes = ls.download(f"/api/projects/{project['id']}/export?exportType=JSON", export_file)
    export_seconds = time.perf_counter() - started
    after = sizes(args)
    exported_mb = exported_bytes / 1e6

    print()
    print(f"{'step':<22}{'annotations':>13}{'seconds':>10}{'annotations/s':>15}  notes")
    row("import (POST tasks)", sent.regions, import_seconds, f"{requests} request(s) of at most {args.request_mb:g} MB")
    row(
        "export (GET JSON)", sent.regions, export_seconds, f"first byte after {first_byte:.2f} s, {exported_mb:,.1f} MB"
    )
    if args.verify:
        print(f"{'verify':<22}{verify(export_file, sent)}")
    for name, value in after.items():
        print(f"# {name}: {value / 1e6:,.0f} MB (+{(value - before.get(name, 0)) / 1e6:,.0f} MB in this run)")
    if args.ls_pid:
        peaks = ", ".join(f"{peak_rss(pid) / 1e6:,.0f} MB" for pid in workers(args.ls_pid))
        print(f"# gunicorn workers' peak resident memory since they started (VmHWM): {peaks}")
    if not args.keep_export:
        export_file.unlink()
    return 0


class LabelStudio:
    def __init__(self, url: str, token: str):
        self.url, self.headers = url, {"Authorization": f"Token {token}"}

    def _open(self, path: str, data: bytes | None = None):
        headers = dict(self.headers, **({"Content-Type": "application/json"} if data is not None else {}))
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        try:
            return urllib.request.urlopen(request, timeout=7200)
        except urllib.error.HTTPError as error:
            sys.exit(f"{request.get_method()} {path}: {error.code} {error.read()[:2000].decode(errors='replace')}")
        except urllib.error.URLError as error:
            sys.exit(f"{self.url}: {error.reason} (is Label Studio running there?)")

    def get_json(self, path: str) -> dict:
        with self._open(path) as response:
            return json.load(response)

    def post_json(self, path: str, body, raw: bool = False) -> dict:
        with self._open(path, body if raw else json.dumps(body).encode()) as response:
            return json.load(response)

    def download(self, path: str, target: Path) -> tuple[float, int]:
        started, written = time.perf_counter(), 0
        with self._open(path) as response, target.open("wb") as out:
            first = response.read(CHUNK)
            first_byte = time.perf_counter() - started
            while first:
                written += out.write(first)
                first = response.read(CHUNK)
        return first_byte, written


class Sent:
    """What the file holds: counts, labels, and each article's text and spans as a digest."""

    def __init__(self):
        self.tasks = self.regions = self.bytes = 0
        self.labels: set[str] = set()
        self.digests: dict[object, str] = {}


def task_lines(path: Path) -> Iterator[str]:
    """The tasks of Copydesk's export, one JSON object a line (its `[`, `,` and `]` aside)."""
    with path.open(encoding="utf-8") as lines:
        first = lines.readline().strip()
        if first != "[":
            sys.exit(
                f"{path}: not Copydesk's Label Studio export (a JSON list, a task a line); a JSONL export "
                "carries no text: write one with `manage.py export_annotations --format label-studio`"
            )
        for line in lines:
            line = line.strip().removesuffix(",")
            if line and line != "]":
                yield line


def regions_of(task: dict) -> list:
    return [region for annotation in task.get("annotations", []) for region in annotation["result"]]


def digest(text: str, regions: list) -> str:
    spans = sorted(
        (r["id"], r["value"]["start"], r["value"]["end"], r["value"]["text"], r["value"]["labels"]) for r in regions
    )
    return hashlib.sha256(json.dumps([text, spans], ensure_ascii=False).encode()).hexdigest()


def key(task: dict):
    return task["data"].get("copydesk_article") or hashlib.sha256(task["data"]["text"].encode()).hexdigest()


def scan(path: Path) -> Sent:
    sent = Sent()
    for line in task_lines(path):
        task = json.loads(line)
        regions = regions_of(task)
        sent.tasks += 1
        sent.regions += len(regions)
        sent.bytes += len(line.encode())
        sent.labels.update(label for region in regions for label in region["value"]["labels"])
        sent.digests[key(task)] = digest(task["data"]["text"], regions)
    if not sent.tasks:
        sys.exit(f"{path}: no tasks")
    return sent


def config(labels: set[str]) -> str:
    choices = "".join(f"\n    <Label value={quoteattr(label)}/>" for label in sorted(labels))
    text = '\n  <Text name="text" value="$text"/>'
    return f'<View>\n  <Labels name="label" toName="text">{choices}\n  </Labels>{text}\n</View>'


def batches(path: Path, limit: int) -> Iterator[bytes]:
    """JSON lists of whole tasks, each body at most `limit` bytes (a single larger task alone)."""
    parts, size = [], 2
    for line in task_lines(path):
        encoded = line.encode()
        if parts and size + len(encoded) + 1 > limit:
            yield b"[" + b",".join(parts) + b"]"
            parts, size = [], 2
        parts.append(encoded)
        size += len(encoded) + 1
    if parts:
        yield b"[" + b",".join(parts) + b"]"


def array_items(path: Path) -> Iterator[dict]:
    """The objects of a JSON list read in pieces: Label Studio's export is one line."""
    decoder, buffer, at = json.JSONDecoder(), "", 0
    with path.open(encoding="utf-8") as source:
        started = False
        while True:
            while at < len(buffer) and buffer[at] in " \t\r\n,[]":
                started = started or buffer[at] == "["
                at += 1
            try:
                item, end = decoder.raw_decode(buffer, at)
            except json.JSONDecodeError:
                more = source.read(CHUNK * 8)
                if not more:
                    if buffer[at:].strip():
                        sys.exit(f"{path}: Label Studio's export ends inside a task")
                    return
                buffer, at = buffer[at:] + more, 0
                continue
            if not started:
                sys.exit(f"{path}: Label Studio's export is not a JSON list")
            yield item
            at = end


def verify(export_file: Path, sent: Sent) -> str:
    tasks = regions = same = misplaced = 0
    for task in array_items(export_file):
        tasks += 1
        text, found = task["data"]["text"], regions_of(task)
        regions += len(found)
        misplaced += sum(1 for r in found if text[r["value"]["start"] : r["value"]["end"]] != r["value"]["text"])
        if sent.digests.get(key(task)) == digest(text, found):
            same += len(found)
    verdict = "all kept" if (tasks, same, misplaced) == (sent.tasks, sent.regions, 0) else "DIFFERENT"
    return (
        f"{verdict}: {tasks:,}/{sent.tasks:,} tasks, {same:,}/{sent.regions:,} spans identical "
        f"(id, start, end, text, labels; {regions:,} read), {misplaced:,} not selecting their text in code points"
    )


def sizes(args) -> dict[str, int]:
    found = {}
    if args.ls_db:
        if not args.ls_db.replace("_", "").isalnum():
            sys.exit(f"--ls-db {args.ls_db!r}: a database name of letters, digits and _")
        query = f"SELECT pg_database_size('{args.ls_db}')"
        command = ["psql", args.pg, "-Atc", query]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - psql, fixed arguments
        found[f"database {args.ls_db}"] = int(out)
    if args.ls_data_dir:
        found[f"data dir {args.ls_data_dir}"] = sum(
            f.stat().st_size for f in args.ls_data_dir.rglob("*") if f.is_file()
        )
    return found


def workers(pid: int) -> list[int]:
    """The processes under `pid` that have none under them: gunicorn's workers, given its master
    or a shell that started it."""
    children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    if not children:
        return [pid]
    return [leaf for child in children for leaf in workers(child)]


def peak_rss(pid: int) -> int:
    """The process's peak resident memory since it started (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def row(step: str, records: int, seconds: float, notes: str):
    rate = f"{records / seconds:,.0f}" if seconds else "-"
    print(f"{step:<22}{records:>13,}{seconds:>10.2f}{rate:>15}  {notes}")


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"


if __name__ == "__main__":
    sys.exit(main())
