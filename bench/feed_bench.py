"""Benchmark the change feed and its webhooks at a million annotations, on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench
    .venv/bin/python manage.py make_benchmark_data --annotations 1000000
    .venv/bin/python manage.py shell -c \
        'from annotations.services.feed import publish_approved_as_loaded as p; print(p())'
    .venv/bin/python bench/feed_bench.py

(the third command gives each loaded approved annotation its `annotation.approved`
change: about 750,000). Prints, one phase at a time (BENCH_PHASES picks them,
in this order: read,writers,latency,throughput,outage):

read        a client following GET /api/changes/?limit=1000 from the start to the head,
            against gunicorn (one sync worker, DEBUG off, export_bench.py's server):
            changes per second, ms per page (median, p99).
writers     approvals per second, one at a time, from 1 process and from 4; with the
            feed's advisory lock shared (as shipped) and with a key of each process's
            own (no serialisation, same queries): what the one-at-a-time commit costs.
latency     200 approvals, 50 ms apart, random pending annotations: from the service
            call's return (committed) to the arrival at a local receiver (a threaded
            http.server in this process that verifies every signature with
            standardwebhooks); median and p99, for a worker that LISTENs (the default)
            and for one that polls only (--no-listen, every 0.5 s and every 5 s).
throughput  one subscription replayed 20,000 changes back, a receiver answering 204 at
            once: deliveries per second.
outage      the receiver refuses connections for BENCH_OUTAGE_SECONDS (600) while an
            approval comes every 2 s, then listens again: the attempts made meanwhile
            (WebhookDelivery rows), the time until every change has arrived, and the
            check that every change's cursor arrived, in increasing order, none missing
            (duplicates counted: delivery is at least once).

Each run approves about 6,300 pending annotations (150,000 in the data) and adds its
changes to the feed. Subscriptions described "feed_bench" are deleted at the start
and paused at the end. Not part of the test suite.
"""

import json
import math
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from annotations.domain.feed import retry_delay
from annotations.models import Annotation, Change, Status, WebhookDelivery, WebhookSubscription
from annotations.selectors.feed import feed_head
from annotations.services import feed as feed_service
from annotations.services import feedlock, reviews
from annotations.services.reviews import annotation_approve
from annotations.services.webhooks import webhook_replay, webhook_subscribe, webhook_update

ROOT = export_bench.ROOT
RECEIVER_PORT = int(os.environ.get("BENCH_RECEIVER_PORT", "8766"))
DESCRIPTION = "feed_bench"
PHASES = os.environ.get("BENCH_PHASES", "read,writers,latency,throughput,outage").split(",")
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "600"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "20000"))
WORKER_LOG = os.environ.get("BENCH_WORKER_LOG", str(ROOT / "run" / "feed_bench_worker.log"))
LATENCY_N = int(os.environ.get("BENCH_LATENCY_N", "200"))
WRITES_EACH = int(os.environ.get("BENCH_WRITES_EACH", "200"))


def pct(values, p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(values, unit="ms", scale=1000.0) -> str:
    v = [x * scale for x in values]
    return (
        f"median {statistics.median(v):.0f} {unit}, p90 {pct(v, 90):.0f}, p99 {pct(v, 99):.0f}, "
        f"min {min(v):.0f}, max {max(v):.0f} (n={len(v)})"
    )


def user(name: str, role: str):
    export_bench.token_for(name, role)
    return get_user_model().objects.get(username=name)


def pending_sample(n: int) -> list[int]:
    ids = list(Annotation.objects.filter(status=Status.PENDING).values_list("id", flat=True))
    return random.sample(ids, n)


def machine_busy():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the receiver -----------------------------------------------------------------------------


class Receiver:
    """A threaded HTTP server that verifies each delivery's signature, answers 204 at once and
    records (arrival, cursor, annotation id). Stopped, its port refuses connections."""

    def __init__(self, secret: str, port: int = RECEIVER_PORT):
        self.webhook, self.port = Webhook(secret), port
        self.arrivals: list[tuple[float, int, int]] = []
        self.bad_signatures = 0
        self.refused: list[str] = []  # why, for the first few that did not verify
        self.changed = threading.Condition()
        self.server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                at = time.perf_counter()
                try:
                    payload = receiver.webhook.verify(body, dict(self.headers.items()))
                except WebhookVerificationError as exc:
                    receiver.bad_signatures += 1
                    if len(receiver.refused) < 5:
                        receiver.refused.append(
                            f"{exc} (from {self.client_address[0]}, {self.headers.get('user-agent')}, "
                            f"id {self.headers.get('webhook-id')}, {len(body)} bytes)"
                        )
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.changed:
                    receiver.arrivals.append((at, int(self.headers["webhook-id"]), payload["annotation_id"]))
                    receiver.changed.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def why(self) -> str:
        return f" {self.refused}" if self.refused else ""

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, done, timeout: float) -> bool:
        """Until done(arrivals) is true, or timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done(self.arrivals):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 1.0))
        return True


def subscribe(admin) -> tuple[WebhookSubscription, Receiver]:
    subscribed = webhook_subscribe(actor=admin, url=f"http://127.0.0.1:{RECEIVER_PORT}/hook", description=DESCRIPTION)
    return subscribed.subscription, Receiver(subscribed.secret).start()


def pause(admin, subscription):
    webhook_update(actor=admin, subscription_id=subscription.pk, active=False)


def start_worker(*args: str) -> subprocess.Popen:
    log = open(WORKER_LOG, "a")  # noqa: SIM115 - the worker's stderr, kept for a look after the run
    worker = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "manage.py", "deliver_webhooks", "--no-prune", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    print(f"  worker {' '.join(args) or '(defaults)'}: {worker.stdout.readline().strip()}")
    return worker


def stop_worker(worker: subprocess.Popen):
    worker.terminate()
    out, _ = worker.communicate(timeout=30)
    print(f"  worker: {out.strip()}")


# --- phases -------------------------------------------------------------------------------------


def phase_read(token: str):
    print("read: GET /api/changes/?limit=1000 from the start to the head (gunicorn, 1 sync worker)")
    server = export_bench.start_server()
    try:
        export_bench.get("/api/changes/?limit=1", token).read()  # warm the worker
        pages, parse, changes, size, after = [], [], 0, 0, None
        started = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            body = export_bench.get(f"/api/changes/?limit=1000{'&after=' + after if after else ''}", token).read()
            t1 = time.perf_counter()
            page = json.loads(body)
            t2 = time.perf_counter()
            pages.append(t1 - t0)
            size += len(body)
            parse.append(t2 - t1)
            changes += len(page["results"])
            after = page["next"]
            if not page["has_more"]:
                break
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    print(
        f"  {changes:,} changes in {len(pages)} pages, {elapsed:.1f} s: {changes / elapsed:,.0f} changes/s "
        f"(client's JSON parsing included; {sum(parse):.1f} s of it)"
    )
    print(f"  a page over HTTP: {spread(pages)}")
    print(f"  the client's json.loads of a page: median {statistics.median(parse) * 1000:.0f} ms")
    print(f"  {size / 1e6:,.0f} MB of JSON, {size / changes:,.0f} bytes per change")


def _approver(ids: list[int], reviewer_id: int, lock_key, out):
    connections.close_all()
    if lock_key is not None:
        feedlock.FEED_LOCK = lock_key  # a lock of this process's own: nobody waits on it
    # From the start of publish() (it takes the lock first) to the end of the commit: the
    # feed lock's wait and hold.
    publish, held = reviews.publish, []

    def timed(entries):
        started = time.perf_counter()
        changes = publish(entries)
        transaction.on_commit(lambda: held.append(time.perf_counter() - started))
        return changes

    reviews.publish = timed
    reviewer = get_user_model().objects.get(pk=reviewer_id)
    started = time.perf_counter()
    for annotation_id in ids:
        annotation_approve(actor=reviewer, annotation_id=annotation_id)
    out.put((time.perf_counter() - started, held))
    connections.close_all()


def _approve_in(processes: int, reviewer, own_locks: bool) -> tuple[float, float, list[float]]:
    """Approvals per second from `processes` processes at once, ms per approval in each, and
    the publish-to-commit spans."""
    ids = pending_sample(processes * WRITES_EACH)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    workers = [
        context.Process(
            target=_approver,
            args=(ids[i::processes], reviewer.pk, feedlock.FEED_LOCK + 1 + i if own_locks else None, out),
        )
        for i in range(processes)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    held = [span for _, spans in results for span in spans]
    return len(ids) / elapsed, statistics.mean(r[0] for r in results) / WRITES_EACH, held


def phase_writers(reviewer):
    rounds = int(os.environ.get("BENCH_WRITER_ROUNDS", "3"))
    print(f"writers: approvals one at a time ({WRITES_EACH} per process, annotation_approve), {rounds} rounds")
    setups = [
        (1, False, "1 process"),
        (4, False, "4 processes, the feed's one lock (as shipped)"),
        (4, True, "4 processes, a lock key of each process's own (no serialisation)"),
    ]
    results = {label: [] for *_, label in setups}
    for _ in range(rounds):
        for processes, own, label in setups:  # interleaved: the VM's slow moments fall on each
            results[label].append(_approve_in(processes, reviewer, own))
    for label, runs in results.items():
        rates = [r[0] for r in runs]
        held = [span for r in runs for span in r[2]]
        print(
            f"  {label}: {statistics.median(rates):,.0f} approvals/s (rounds: {', '.join(f'{r:.0f}' for r in rates)}); "
            f"{statistics.median(r[1] for r in runs) * 1000:.1f} ms per approval in a process; "
            f"publish() to committed: {spread(held)}"
        )


def phase_latency(admin, reviewer):
    print(f"latency: {LATENCY_N} approvals 50 ms apart, commit (service returns) -> arrival at the receiver")
    for args in [(), ("--no-listen",), ("--no-listen", "--poll", "5")]:
        subscription, receiver = subscribe(admin)
        worker = start_worker(*args)
        try:
            time.sleep(1.0)
            committed, calls = {}, []
            for annotation_id in pending_sample(LATENCY_N):
                t0 = time.perf_counter()
                annotation_approve(actor=reviewer, annotation_id=annotation_id)
                committed[annotation_id] = time.perf_counter()
                calls.append(committed[annotation_id] - t0)
                time.sleep(0.05)
            wanted = set(committed)
            arrived = receiver.wait_for(lambda a, wanted=wanted: {x[2] for x in a} >= wanted, timeout=120)
        finally:
            stop_worker(worker)
            receiver.stop()
            pause(admin, subscription)
        first = {}
        for at, _cursor, annotation_id in receiver.arrivals:
            first.setdefault(annotation_id, at)
        delays = [first[a] - committed[a] for a in committed if a in first]
        mode = "LISTEN/NOTIFY (poll 5 s)" if not args else f"polling only, every {args[2] if len(args) > 1 else 0.5} s"
        print(
            f"  {mode}: {spread(delays)}; all arrived: {arrived}; "
            f"bad signatures {receiver.bad_signatures}{receiver.why()}; "
            f"the approve call itself: median {statistics.median(calls) * 1000:.0f} ms"
        )


def phase_throughput(admin):
    print(f"throughput: one subscription replayed {BACKLOG:,} changes back, a receiver answering 204 at once")
    subscription, receiver = subscribe(admin)
    worker = start_worker()
    try:
        time.sleep(1.0)
        after = feed_head() - BACKLOG
        expected = Change.objects.filter(id__gt=after).count()
        cpu0, busy0, self0 = cpu_seconds(worker.pid), machine_busy(), resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        webhook_replay(actor=admin, subscription_id=subscription.pk, after=str(after))
        with connection.cursor() as cursor:  # wake the worker now rather than at its next poll
            cursor.execute("SELECT pg_notify(%s, '')", [feed_service.NOTIFY_CHANNEL])
        arrived = receiver.wait_for(lambda a: len(a) >= expected, timeout=3600)
        elapsed = time.perf_counter() - started
        cpu1, busy1, self1 = cpu_seconds(worker.pid), machine_busy(), resource.getrusage(resource.RUSAGE_SELF)
    finally:
        stop_worker(worker)
        receiver.stop()
        pause(admin, subscription)
    times = [a[0] for a in receiver.arrivals]
    cursors = [a[1] for a in receiver.arrivals]
    span = times[-1] - times[0]
    receiver_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    print(
        f"  {len(cursors):,} deliveries of {expected:,} (all: {arrived}) in {span:.1f} s from the first to the last: "
        f"{len(cursors) / span:,.0f} deliveries/s ({len(cursors) / elapsed:,.0f}/s from the replay's commit)"
    )
    print(
        f"  in order: {cursors == sorted(cursors)}, duplicates {len(cursors) - len(set(cursors))}, "
        f"bad signatures {receiver.bad_signatures}{receiver.why()}"
    )
    print(
        f"  CPU: worker {cpu1 - cpu0:.1f} s ({(cpu1 - cpu0) / len(cursors) * 1000:.2f} ms a delivery), "
        f"receiver {receiver_cpu:.1f} s; machine busy {(busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * 100:.0f} % "
        f"of {os.cpu_count()} cores"
    )


def phase_outage(admin, reviewer):
    print(f"outage: receiver down {OUTAGE_SECONDS:.0f} s, an approval every 2 s, then back")
    subscription, receiver = subscribe(admin)
    start_position = subscription.position
    worker = start_worker()
    ids = iter(pending_sample(int(OUTAGE_SECONDS / 2) + 10))
    try:
        time.sleep(1.0)
        annotation_approve(actor=reviewer, annotation_id=next(ids))
        receiver.wait_for(lambda a: len(a) >= 1, timeout=30)
        receiver.stop()
        down_at, down_wall = time.perf_counter(), timezone.now()
        approvals, next_tick = 0, down_at
        while time.perf_counter() - down_at < OUTAGE_SECONDS:
            annotation_approve(actor=reviewer, annotation_id=next(ids))
            approvals += 1
            if approvals % 30 == 0:
                attempts = WebhookDelivery.objects.filter(subscription=subscription, at__gte=down_wall).count()
                print(f"    {time.perf_counter() - down_at:4.0f} s: {approvals} approvals, {attempts} attempts")
            next_tick += 2.0
            time.sleep(max(0.0, next_tick - time.perf_counter()))
        last = feed_head()
        arrivals_before = len(receiver.arrivals)
        receiver.start()
        up_at, up_wall = time.perf_counter(), timezone.now()
        failures, retry_at = WebhookSubscription.objects.values_list("failures", "next_attempt_at").get(
            pk=subscription.pk
        )
        expected = list(
            Change.objects.filter(id__gt=start_position, id__lte=last).order_by("id").values_list("id", flat=True)
        )
        done = receiver.wait_for(lambda a: {x[1] for x in a} >= set(expected), timeout=3 * 3600)
        caught_up = time.perf_counter()
    finally:
        stop_worker(worker)
        receiver.stop()
        pause(admin, subscription)
    during = list(
        WebhookDelivery.objects.filter(subscription=subscription, at__gte=down_wall, at__lt=up_wall).order_by("id")
    )
    offsets = ", ".join(f"{(d.at - down_wall).total_seconds():.0f}" for d in during)
    after_up = [a for a in receiver.arrivals[arrivals_before:]]
    firsts, seen = [], set()
    for _at, cursor, _a in receiver.arrivals:
        if cursor not in seen:
            seen.add(cursor)
            firsts.append(cursor)
    missing = sorted(set(expected) - seen)
    print(f"  {approvals} approvals during the outage; {len(expected)} changes to deliver in all")
    print(
        f"  attempts during the outage: {len(during)} ({sum(1 for d in during if not d.delivered)} failed), "
        f"at s {offsets} after it began; errors: {sorted({d.error[:60] for d in during})}"
    )
    shortest = retry_delay(failures, draw=lambda: 0.0).total_seconds()
    longest = retry_delay(failures, draw=lambda: 1.0).total_seconds()
    print(
        f"  when it came back: {failures} failures in a row, the next retry due "
        f"{(retry_at - up_wall).total_seconds():.0f} s later (drawn between {shortest:.0f} and {longest:.0f} s "
        f"after the last one)"
    )
    print(
        f"  receiver back: first delivery after {after_up[0][0] - up_at:.1f} s, every change after "
        f"{caught_up - up_at:.1f} s (all arrived: {done}; draining the backlog took "
        f"{after_up[-1][0] - after_up[0][0]:.2f} s)"
    )
    print(
        f"  cursors: {len(seen)} distinct of {len(expected)} expected, missing {len(missing)} {missing[:10]}, "
        f"first arrivals in increasing order: {firsts == sorted(firsts)}, "
        f"duplicates {len(receiver.arrivals) - len(seen)}, bad signatures {receiver.bad_signatures}{receiver.why()}"
    )
    total = WebhookDelivery.objects.filter(subscription=subscription).count()
    print(f"  WebhookDelivery rows for the subscription: {total}")


def main():
    random.seed(int(os.environ.get("BENCH_SEED", "7")))
    admin = user("bench-feed-admin", "admin")
    reviewer = user("bench-feed-reviewer", "reviewer")
    consumer = export_bench.token_for("bench-consumer", "consumer")
    WebhookSubscription.objects.filter(description=DESCRIPTION).delete()
    others = WebhookSubscription.objects.filter(active=True).count()
    print(export_bench.machine())
    version, sync = export_bench.server_setting("server_version"), export_bench.server_setting("synchronous_commit")
    print(
        f"PostgreSQL {version} (synchronous_commit {sync}); {Annotation.objects.count():,} annotations, "
        f"{Annotation.objects.filter(status=Status.PENDING).count():,} pending; feed head {feed_head():,}, "
        f"{Change.objects.count():,} changes; other active subscriptions: {others}"
    )
    if "read" in PHASES:
        phase_read(consumer)
    if "writers" in PHASES:
        phase_writers(reviewer)
    if "latency" in PHASES:
        phase_latency(admin, reviewer)
    if "throughput" in PHASES:
        phase_throughput(admin)
    if "outage" in PHASES:
        phase_outage(admin, reviewer)


if __name__ == "__main__":
    main()
