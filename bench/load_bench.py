"""Load on the production setup: many concurrent clients doing a newsroom's mix of requests.

    createdb copydesk_load   # or: psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE copydesk_load'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_load
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py make_benchmark_data --annotations 100000
    .venv/bin/python bench/load_bench.py            # BENCH_SECONDS=30 BENCH_CLIENTS=50,200

Starts deploy/serve (nginx in front of gunicorn's threaded workers, DEBUG off) on
DATABASE_URL and runs, for each number of clients, a timed run in which every client
sends request after request on one kept-alive connection: a filtered list page 70 %,
one annotation 10 %, a new annotation 10 %, an approval 5 %, a filtered JSONL export 5 %.
The largest run is repeated with 4 slow clients that open a connection, send half a
request and hold it. Prints requests per second, p50/p95/p99 per type, and errors (any
status other than the one each request must get, or no answer). The throttles are lifted
for the run (they would answer 429 to a benchmark by design). Not part of the test suite.
"""

import asyncio
import json
import os
import platform
import random
import socket
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from production import start_server, stop_server  # noqa: E402 - bench/, the script's own folder
from rest_framework.authtoken.models import Token  # noqa: E402

from annotations.domain.roles import Role  # noqa: E402
from annotations.models import Annotation, Article, Status  # noqa: E402
from annotations.services.users import assign_role  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8780"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
CLIENTS = [int(n) for n in os.environ.get("BENCH_CLIENTS", "50,200").split(",")]
MIX = [("list", 70), ("detail", 10), ("create", 10), ("review", 5), ("export", 5)]
EXPECTED = {"list": 200, "detail": 200, "create": 201, "review": 200, "export": 200}
LIST_QUERIES = [
    "?kind=claim",
    "?kind=entity&entity_type=PERSON",
    "?status=pending&ordering=-created_at",
    "?source=Kyodo",
    "?source=Reuters&language=en",
    "?q=minister",
    "?ordering=-reviewed_at",
    "?artifact_type=mistranslation&status=approved",
    "?page=3",
    "",
]
USERS_PER_ROLE = 10


def tokens(role: Role) -> list[str]:
    users = []
    for number in range(USERS_PER_ROLE):
        user, _ = get_user_model().objects.get_or_create(username=f"load-{role.group_name}-{number:02}")
        assign_role(user, role)
        users.append(Token.objects.get_or_create(user=user)[0].key)
    return users


def prepare() -> dict:
    articles = list(Article.objects.values_list("id", "body"))
    if not articles:
        raise SystemExit("No articles: run make_benchmark_data first (see the docstring).")
    pending = list(
        Annotation.objects.filter(status=Status.PENDING)
        .exclude(created_by__username__startswith="load-")
        .values_list("id", flat=True)[:50_000]
    )
    random.shuffle(pending)
    return {
        "annotators": tokens(Role.ANNOTATOR),
        "reviewers": tokens(Role.REVIEWER),
        "articles": [(article_id, len(body)) for article_id, body in articles],
        "annotation_ids": list(Annotation.objects.values_list("id", flat=True)[:200_000]),
        "pending": pending,
        "sources": list(Article.objects.values_list("source", flat=True).distinct()),
    }


# --- a small HTTP/1.1 client on asyncio streams: keep-alive, Content-Length or chunked bodies


async def http(reader, writer, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    writer.write(head.encode() + b"\r\n" + payload)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    pieces = []
    if headers.get("transfer-encoding") == "chunked":
        while True:
            chunk = int((await reader.readline()).split(b";")[0], 16)
            if chunk == 0:
                await reader.readline()
                break
            pieces.append((await reader.readexactly(chunk + 2))[:-2])
    else:
        pieces.append(await reader.readexactly(int(headers.get("content-length", "0"))))
    if headers.get("connection") == "close":
        raise ConnectionResetError("server closed the connection")
    return status, b"".join(pieces)


class Run:
    def __init__(self, data: dict, clients: int, seed: int):
        self.data, self.clients, self.seed = data, clients, seed
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}

    def request_for(self, kind: str, client: int, rng: random.Random) -> tuple[str, str, str, dict | None]:
        data = self.data
        if kind == "list":
            return "GET", f"/api/annotations/{rng.choice(LIST_QUERIES)}", rng.choice(data["reviewers"]), None
        if kind == "detail":
            return "GET", f"/api/annotations/{rng.choice(data['annotation_ids'])}/", rng.choice(data["reviewers"]), None
        if kind == "create":
            article_id, length = rng.choice(data["articles"])
            start = rng.randrange(0, length - 40)
            body = {"article": article_id, "kind": "claim", "start": start, "end": start + rng.randint(5, 40)}
            return "POST", "/api/annotations/", data["annotators"][client % USERS_PER_ROLE], body
        if kind == "review":
            annotation_id = data["pending"].pop()
            return "POST", f"/api/annotations/{annotation_id}/approve/", rng.choice(data["reviewers"]), {}
        source = quote(rng.choice(data["sources"]))
        return "GET", f"/api/exports/annotations.jsonl?source={source}&kind=claim", rng.choice(data["reviewers"]), None

    async def client(self, number: int, deadline: float) -> None:
        rng = random.Random(f"{self.seed}-{number}")  # new spans every run: no duplicate annotations
        kinds, weights = zip(*MIX, strict=True)
        reader = writer = None
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            method, path, token, body = self.request_for(kind, number, rng)
            started = time.monotonic()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", PORT, limit=2**20)
                status, answer = await asyncio.wait_for(http(reader, writer, method, path, token, body), timeout=60)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self.errors[kind] += 1
                self.samples.setdefault(kind, f"{method} {path}: {exc.__class__.__name__} {exc}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            self.latencies[kind].append(time.monotonic() - started)
            if status != EXPECTED[kind]:
                self.errors[kind] += 1
                self.samples.setdefault(kind, f"{method} {path} {json.dumps(body)}: {status} {answer[:300]!r}")
        if writer is not None:
            writer.close()

    async def run(self) -> float:
        deadline = time.monotonic() + SECONDS
        started = time.monotonic()
        await asyncio.gather(*(self.client(number, deadline) for number in range(self.clients)))
        return time.monotonic() - started


def hold_slow_clients(count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", PORT))
        sock.sendall(b"GET /api/health/ HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        held.append(sock)
    return held


def report(title: str, run: Run, seconds: float) -> None:
    total = sum(len(values) for values in run.latencies.values())
    errors = sum(run.errors.values())
    print(f"\n{title}: {total / seconds:,.0f} requests/s over {seconds:.0f} s, {errors} errors")
    print(f"  {'type':<8}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind, _ in MIX:
        values = sorted(run.latencies.get(kind, []))
        if not values:
            print(f"  {kind:<8}{0:>9}")
            continue
        cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
        p50, p95, p99 = (cuts[index] * 1000 for index in (49, 94, 98))
        print(f"  {kind:<8}{len(values):>9}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}{run.errors.get(kind, 0):>8}")
    for kind, sample in run.samples.items():
        print(f"  first {kind} error: {sample}")


def main() -> None:
    data = prepare()
    annotations = Annotation.objects.count()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor} "
        f"{connection.pg_version if connection.vendor == 'postgresql' else ''}; {annotations:,} annotations; "
        f"{SECONDS:.0f} s per run"
    )
    # The throttles would answer a benchmark 429 by design.
    server = start_server(PORT, THROTTLE_USER="1000000/minute", THROTTLE_ANON="1000000/minute")
    try:
        for clients in CLIENTS:
            run = Run(data, clients, seed=time.time_ns())
            report(f"{clients} clients", run, asyncio.run(run.run()))
        held = hold_slow_clients(4)
        try:
            run = Run(data, CLIENTS[-1], seed=time.time_ns())
            report(f"{CLIENTS[-1]} clients, 4 slow clients holding connections", run, asyncio.run(run.run()))
        finally:
            for sock in held:
                sock.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
