"""Benchmark similar claims and the articles' translation-quality column at a million annotations.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench
    .venv/bin/python manage.py make_benchmark_data --annotations 1000000   # migrated to the newest
    .venv/bin/python bench/quality_bench.py
    # similar claims on sentence-length claims: a second database, made with --sentences
    DATABASE_URL=.../copydesk_sentences BENCH_PHASES=similar .venv/bin/python bench/quality_bench.py

Starts gunicorn as export_bench.py does (one sync worker, DEBUG off) and prints:

similar   GET /api/annotations/{id}/similar/ for BENCH_CLAIMS (50) approved claims drawn with
          BENCH_SEED (14), as a reviewer (every status) and as a consumer (approved only):
          median, p95, max over HTTP; in process, the same calls' SQL time against the whole
          selector (SQL plus the Python re-rank), its query count, and EXPLAIN (ANALYZE,
          BUFFERS) of the slowest query for each role.
quality   GET /api/articles/ (first and middle page); the article list's SQL sorted by
          quality_per_1000_words ascending and descending, nulls last (cursor, median of 7,
          and EXPLAIN ANALYZE); the same sort computed from the annotations without the
          tallies, for comparison; the desk's article list sorted by its Quality column, in
          process with Django's test Client as a reviewer (when the desk has the column: with
          DEBUG off, gunicorn's desk needs collected static files, which the checkout has not);
          ArticleErrorTally rows against the approved artifacts they count.
recount   recount_all_errors() on the whole database (3 runs).
approvals BENCH_APPROVALS (200) pending translation artifacts and as many pending claims
          approved one at a time (annotation_approve, alternating), ms each; then every one
          of them reopened (annotation_reopen), so the statuses and tallies end as they began
          (the history events and feed changes of both moves stay).

BENCH_PHASES picks phases (similar,quality,recount,approvals). Not part of the test suite.
"""

import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Sum
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from annotations.desk.articles import ArticleAdmin
from annotations.models import Annotation, Article, ArticleErrorTally, Kind, Status
from annotations.query.quality import PER_1000_WORDS, scored_errors
from annotations.selectors.articles import article_queryset
from annotations.selectors.claims import WORDS_INDEX, similar_claims
from annotations.selectors.quality import scoring
from annotations.services.quality import recount_all_errors
from annotations.services.reviews import annotation_approve, annotation_reopen

ROOT = export_bench.ROOT
BASE = export_bench.BASE
SEED = int(os.environ.get("BENCH_SEED", "14"))
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "50"))
APPROVALS = int(os.environ.get("BENCH_APPROVALS", "200"))
PHASES = os.environ.get("BENCH_PHASES", "similar,quality,recount,approvals").split(",")
REPEAT = 7
PLAIN_STATIC = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def pct(values, p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(ms: list[float]) -> str:
    return f"median {statistics.median(ms):.1f} ms, p95 {pct(ms, 95):.1f}, max {max(ms):.1f} (n={len(ms)})"


def load() -> str:
    """The machine's load averages: the VM is shared, and its busy moments show in every figure."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def user(name: str, role: str):
    export_bench.token_for(name, role)
    return get_user_model().objects.get(username=name)


def http_ms(path: str, token: str) -> float:
    return timed_ms(lambda: export_bench.get(path, token).read())


def explain(sql: str, params=None, analyze: bool = True) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, BUFFERS' if analyze else 'COSTS'}) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.splitlines())


# --- similar claims ------------------------------------------------------------------------------


def phase_similar(tokens: dict[str, str], users: dict[str, object]):
    ids = list(
        Annotation.objects.filter(kind=Kind.CLAIM, status=Status.APPROVED).order_by("id").values_list("id", flat=True)
    )
    sample = random.Random(SEED).sample(ids, CLAIMS)
    print(
        f"similar: {CLAIMS} approved claims of {len(ids):,} (seed {SEED}), "
        f"GET /api/annotations/{{id}}/similar/; {load()}"
    )
    for role in ("reviewer", "consumer"):
        http_ms(f"/api/annotations/{sample[0]}/similar/", tokens[role])  # warm the worker
        ms = [http_ms(f"/api/annotations/{pk}/similar/", tokens[role]) for pk in sample]
        print(f"  over HTTP, {role}: {spread(ms)}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_relation_size('{WORDS_INDEX}') / 8192")
        pages = cursor.fetchone()[0]
    print(f"  the words index {WORDS_INDEX}: {pages:,} pages")
    for role in ("reviewer", "consumer"):
        whole, sql, found, queries, slowest = [], [], [], [], []
        for pk in sample:
            claim = Annotation.objects.get(pk=pk)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = similar_claims(claim, user=users[role])
                whole.append((time.perf_counter() - started) * 1000)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            found.append(len(result))
            queries.append(len(captured.captured_queries))
            worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
            slowest.append((float(worst["time"]) * 1000, claim, worst["sql"]))
        print(
            f"  in process, {role}: similar_claims {spread(whole)}; of it SQL {spread(sql)}; "
            f"{statistics.mean(found):.1f} similar claims found on average; {max(queries)} queries at most"
        )
        ms, claim, query = max(slowest, key=lambda item: item[0])
        print(f"    the slowest query, claim {claim.pk} ({claim.quote[:80]!r}), {ms:.0f} ms:")
        print(indent(plan_summary(explain(query))))


def plan_summary(plan: str) -> str:
    """A plan's top line (the estimated cost), its JIT lines if any, and its times."""
    lines = plan.splitlines()
    keep = [line for line in lines[1:] if re.match(r"\s*(JIT:|Functions:|Timing:|Planning Time|Execution Time)", line)]
    return "\n".join([lines[0], *keep])


# --- the score column --------------------------------------------------------------------------


def from_annotations_sql(descending: bool) -> str:
    """The same sort computed from the annotations themselves, without the tallies (severity
    weights only, as the settings have no type weights): what the tallies save."""
    weights = " ".join(f"WHEN '{s}' THEN {float(w)}" for s, w in scoring().severity_weights.items())
    direction = "DESC" if descending else "ASC"
    return f"""
        SELECT ar.id, COALESCE(p.penalty, 0) * 1000.0 / NULLIF(ar.word_count, 0) AS per_1000
        FROM annotations_article ar LEFT JOIN (
            SELECT article_id, SUM(CASE severity {weights} ELSE 0 END) AS penalty
            FROM annotations_annotation
            WHERE kind = 'translation_artifact' AND status = 'approved' AND fixed_in_revision IS NULL
            GROUP BY article_id) p ON p.article_id = ar.id
        ORDER BY per_1000 {direction} NULLS LAST, ar.id LIMIT 50"""


def cursor_ms(sql: str, params=()) -> list[float]:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    run()  # warm
    return [timed_ms(run) for _ in range(REPEAT)]


def desk_state() -> str:
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True)  # noqa: S607
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "annotations/desk/articles.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    state = "with uncommitted changes" if dirty.stdout.strip() else "as committed"
    return f"annotations/desk/articles.py {state}; HEAD {head.stdout.strip()[:90]}"


def phase_quality(tokens: dict[str, str], reviewer):
    articles = Article.objects.count()
    middle = max(1, math.ceil(articles / 50) // 2)
    print(f"quality: {articles:,} articles; {load()}")
    for query in ("", f"?page={middle}"):
        http_ms(f"/api/articles/{query}", tokens["consumer"])
        ms = [http_ms(f"/api/articles/{query}", tokens["consumer"]) for _ in range(REPEAT)]
        print(
            f"  GET /api/articles/{query or ' (first page)'}, consumer: "
            f"median of {REPEAT} {statistics.median(ms):.1f} ms"
        )
    for descending in (False, True):
        order = F(PER_1000_WORDS).desc(nulls_last=True) if descending else F(PER_1000_WORDS).asc(nulls_last=True)
        sql, params = article_queryset(with_body=False).order_by(order, "id")[:50].query.sql_with_params()
        ms = cursor_ms(sql, params)
        name = f"{'desc' if descending else 'asc'}(nulls_last=True)"
        print(
            f"  article_queryset ordered by {PER_1000_WORDS}.{name}, 50 rows: "
            f"median of {REPEAT} {statistics.median(ms):.1f} ms"
        )
        plan = explain(sql, params)
        if not descending:
            print(indent(plan))
        else:
            print(indent(plan_summary(plan)))
        ms = cursor_ms(from_annotations_sql(descending))
        print(
            f"    for comparison, the same sort computed from the annotations (no tallies): "
            f"median of {REPEAT} {statistics.median(ms):.1f} ms"
        )
    rows, errors = tally_state()
    approved = Annotation.objects.filter(kind=Kind.TRANSLATION_ARTIFACT, status=Status.APPROVED).count()
    print(
        f"  ArticleErrorTally: {rows:,} rows ({rows / articles:.1f} an article) counting {errors:,} errors; "
        f"scored errors (approved, unfixed translation artifacts) in the annotations: {scored_errors().count():,}; "
        f"approved artifacts {approved:,}"
    )
    if "quality" not in ArticleAdmin.list_display:
        print(f"  desk: the article list has no Quality column ({desk_state()}); not measured")
        return
    print(f"  desk in process (Django's test Client, force_login as a reviewer; {desk_state()}):")
    client = Client()
    client.force_login(reviewer)
    # DEBUG is off here too, but no static files are collected in the checkout (nor should a
    # benchmark collect them): the desk's pages name their static files without the manifest.
    with override_settings(STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        page = client.get("/admin/annotations/article/").content.decode()
        header = re.search(r'<th scope="col" class="[^"]*column-quality[^"]*">.*?href="\?o=([^"&]+)"', page, re.S)
        if not header:
            print("    no sort link on the Quality column; not measured")
            return
        index = header.group(1).split(".")[0].lstrip("-")
        for label, query in [
            ("default order (-id)", ""),
            ("sorted by Quality (the column's first click: worst first)", f"?o={index}"),
            ("sorted by Quality, reversed (best first)", f"?o=-{index}"),
            ("sorted by Quality, page 25", f"?o={index}&p=25"),
        ]:
            url = f"/admin/annotations/article/{query}"
            response = client.get(url)
            ms = [timed_ms(lambda url=url: client.get(url)) for _ in range(REPEAT)]
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            slowest = max(float(q["time"]) for q in captured.captured_queries) * 1000
            print(
                f"    {label} {query}: median of {REPEAT} {statistics.median(ms):.1f} ms, {response.status_code}, "
                f"{len(captured.captured_queries)} queries (slowest {slowest:.0f} ms), "
                f"{len(response.content) // 1024} KB"
            )
        # The page's one big query, as planned (PostgreSQL JIT-compiles it when its estimated
        # cost passes jit_above_cost) and without JIT, for what the compilation costs.
        url = f"/admin/annotations/article/?o={index}"
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        sql = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
        print(f"    its slowest query, EXPLAIN ANALYZE as configured:\n{indent(plan_summary(explain(sql)))}")
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        try:
            print(f"    the same with jit = off:\n{indent(plan_summary(explain(sql)))}")
            ms = [timed_ms(lambda: client.get(url)) for _ in range(REPEAT)]
            print(
                f"    the page {url} with jit = off (this connection): "
                f"median of {REPEAT} {statistics.median(ms):.1f} ms"
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")


# --- writes ------------------------------------------------------------------------------------


def tally_state() -> tuple[int, int]:
    totals = ArticleErrorTally.objects.aggregate(rows=Count("pk"), errors=Sum("count"))
    return totals["rows"] or 0, totals["errors"] or 0


def phase_recount():
    print(f"recount: {load()}")
    before = tally_state()
    ms = [timed_ms(recount_all_errors) for _ in range(3)]
    after = tally_state()
    print(
        f"recount_all_errors(): {', '.join(f'{x:,.0f}' for x in ms)} ms (median {statistics.median(ms):,.0f}); "
        f"tallies {before[0]:,} rows / {before[1]:,} errors before, {after[0]:,} / {after[1]:,} after"
    )


def phase_approvals(reviewer):
    rng = random.Random(SEED)

    def pending(kind: str) -> list[int]:
        ids = Annotation.objects.filter(kind=kind, status=Status.PENDING).order_by("id").values_list("id", flat=True)
        return rng.sample(list(ids), APPROVALS)

    artifacts, claims = pending(Kind.TRANSLATION_ARTIFACT), pending(Kind.CLAIM)
    print(f"approvals: {load()}")
    before = tally_state()
    approve = {"translation artifact": [], "claim": []}
    for artifact, claim in zip(artifacts, claims, strict=True):  # alternating: the VM's slow moments fall on both
        approve["translation artifact"].append(
            timed_ms(lambda a=artifact: annotation_approve(actor=reviewer, annotation_id=a))
        )
        approve["claim"].append(timed_ms(lambda c=claim: annotation_approve(actor=reviewer, annotation_id=c)))
    approved = tally_state()
    reopen = {"translation artifact": [], "claim": []}
    for artifact, claim in zip(artifacts, claims, strict=True):
        reopen["translation artifact"].append(
            timed_ms(lambda a=artifact: annotation_reopen(actor=reviewer, annotation_id=a))
        )
        reopen["claim"].append(timed_ms(lambda c=claim: annotation_reopen(actor=reviewer, annotation_id=c)))
    after = tally_state()
    print(
        f"approvals: {APPROVALS} pending translation artifacts and {APPROVALS} pending claims, "
        "one at a time, alternating"
    )
    for kind in approve:
        print(f"  annotation_approve, {kind}: {spread(approve[kind])}")
    for kind in reopen:
        print(f"  annotation_reopen (putting them back), {kind}: {spread(reopen[kind])}")
    still_pending = Annotation.objects.filter(pk__in=artifacts + claims, status=Status.PENDING).count()
    print(
        f"  tallies (rows / errors): {before[0]:,} / {before[1]:,} before, {approved[0]:,} / {approved[1]:,} with the "
        f"approvals, {after[0]:,} / {after[1]:,} after reopening; {still_pending} of {2 * APPROVALS} pending again"
    )


def main():
    random.seed(SEED)
    consumer = export_bench.token_for("bench-consumer", "consumer")
    reviewer_token = export_bench.token_for("bench-desk-reviewer", "reviewer")
    reviewer = get_user_model().objects.get(username="bench-desk-reviewer")
    users = {"reviewer": reviewer, "consumer": get_user_model().objects.get(username="bench-consumer")}
    tokens = {"reviewer": reviewer_token, "consumer": consumer}
    print(export_bench.machine())
    version = export_bench.server_setting("server_version")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM django_migrations WHERE app = 'annotations' ORDER BY id DESC LIMIT 1")
        migration = cursor.fetchone()[0]
    print(
        f"PostgreSQL {version}; migrated to {migration}; {Annotation.objects.count():,} annotations, "
        f"{Annotation.objects.filter(kind=Kind.CLAIM).count():,} claims; MQM weights {settings.MQM_SEVERITY_WEIGHTS}"
    )
    if "similar" in PHASES or "quality" in PHASES:
        server = export_bench.start_server()
        try:
            if "similar" in PHASES:
                phase_similar(tokens, users)
            if "quality" in PHASES:
                phase_quality(tokens, reviewer)
        finally:
            server.terminate()
            server.wait()
    if "recount" in PHASES:
        phase_recount()
    if "approvals" in PHASES:
        phase_approvals(user("bench-quality-reviewer", "reviewer"))
    print(f"done: {load()}")


if __name__ == "__main__":
    main()
