"""Fill the database with realistic synthetic articles, annotations and their history.

Fast because it skips the ORM per row: on PostgreSQL each table gets one COPY
stream (fed from a writer thread, so that Python makes rows while the server
stores them), elsewhere batched INSERTs. The history events are derived from
the annotations by two INSERT ... SELECTs. Ids are assigned here, after the
current maximum; the sequences are moved past them at the end.

Every row satisfies the model's constraints: spans are word-aligned slices of
the stored body (quote == body[start:end]), type columns are filled exactly for
their kind, no span of a kind and type repeats on an article, and reviewers
never review their own annotations.
"""

import hashlib
import itertools
import random
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from psycopg.copy import QueuedLibpqWriter

from annotations.domain.articles import body_sha256
from annotations.domain.quality import count_words
from annotations.domain.roles import Role
from annotations.domain.spans import span_context
from annotations.models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArticleErrorTally,
    ArticleRevision,
    ArtifactType,
    EntityType,
    HistoryAction,
    Kind,
    Origin,
    Rating,
    Severity,
    Status,
)
from annotations.services.quality import recount_all_errors
from annotations.services.users import sync_role_groups

WORDS = [
    "the",
    "minister",
    "said",
    "on",
    "Tuesday",
    "that",
    "government",
    "would",
    "review",
    "policy",
    "after",
    "talks",
    "with",
    "officials",
    "in",
    "capital",
    "parliament",
    "election",
    "vote",
    "economy",
    "inflation",
    "prices",
    "market",
    "shares",
    "company",
    "report",
    "growth",
    "percent",
    "million",
    "billion",
    "police",
    "court",
    "ruling",
    "protest",
    "city",
    "region",
    "border",
    "troops",
    "ceasefire",
    "agreement",
    "summit",
    "leaders",
    "trade",
    "energy",
    "oil",
    "gas",
    "climate",
    "emissions",
    "flood",
    "storm",
    "health",
    "hospital",
    "vaccine",
    "school",
    "students",
    "university",
    "research",
    "São",
    "Paulo",
    "Zürich",
    "Kraków",
    "Москва",
    "Київ",
    "Jakarta",
    "Tōkyō",
    "Ελλάδα",
    "東京",
    "café",
    "naïve",
    "résumé",
    "🙂",
    "📈",
]
SOURCES = [
    "Kyodo",
    "Reuters",
    "AFP",
    "AP",
    "Antara",
    "Yonhap",
    "Xinhua",
    "TASS",
    "Ukrinform",
    "dpa",
    "EFE",
    "ANSA",
    "PTI",
    "Bernama",
    "Agência Brasil",
    "NHK World",
    "BBC",
    "DW",
    "RFI",
    "Al Jazeera",
    "The Hindu",
    "Straits Times",
    "Jakarta Post",
    "Kyiv Independent",
    "Le Monde",
    "El País",
    "Die Zeit",
    "Nikkei Asia",
    "Rappler",
    "VnExpress",
]
LANGUAGES = ["en"] * 12 + ["id", "pt-BR", "de", "fr", "es", "ja", "uk"]
NOTES = [
    "",
    "",
    "",
    "Check against the wire copy.",
    'Source says "unconfirmed", see thread',
    "Two readings, see line 4;\nflagged for the desk",
    "=SUM(A1:A9) looks like a formula",
    "Überprüfen — ähnlich wie gestern",
]
CLAIMANTS = ["", "", "the minister", "police", "a spokesperson, who asked not to be named", "Зеленский"]
CORRECTIONS = ["", "Japan", "Tokyo", "Prime Minister", "-not a formula", "citizens of Japan"]
REVIEW_COMMENTS_APPROVED = ["", "", "ok", "Checked against the source."]
REVIEW_COMMENTS_REJECTED = ["Span too wide.", "Wrong type, see guide §3", "Not a claim, an opinion."]
# (kind, share), (status, share): most annotations end up approved.
KIND_WEIGHTS = ([Kind.CLAIM, Kind.ENTITY, Kind.TRANSLATION_ARTIFACT], [40, 40, 20])
STATUS_WEIGHTS = ([Status.APPROVED, Status.PENDING, Status.REJECTED], [75, 15, 10])
SEVERITY_WEIGHTS = ([Severity.MINOR, Severity.MAJOR, Severity.CRITICAL], [70, 25, 5])
ANNOTATIONS_PER_ARTICLE = 400
BATCH = 5000  # rows per INSERT batch off PostgreSQL


def _columns(model) -> list[str]:
    """The table's columns in the model's field order, which is the order of the tuples that
    _article() and _annotation() build (_insert checks the first row's length against it)."""
    return [field.column for field in model._meta.concrete_fields]


class Command(BaseCommand):
    help = "Add synthetic articles and annotations (every kind and status, most approved) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--annotations", type=int, default=100_000, help="how many annotations to add")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")
        parser.add_argument(
            "--sentences",
            action="store_true",
            help="write articles of news-like sentences (names, places, figures; needs Faker, a test "
            "requirement) and claims of 5 words to a whole sentence, instead of words from a small "
            "vocabulary: for measuring similar claims on text like the real thing",
        )

    def handle(self, annotations: int, seed: int, sentences: bool = False, **options):
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        started = time.monotonic()
        annotators, reviewers = _users()
        first_article, first_annotation = _next_id(Article), _next_id(Annotation)
        n_articles = max(1, -(-annotations // ANNOTATIONS_PER_ARTICLE))
        paragraphs = _news_paragraphs(seed) if sentences else _word_paragraphs
        step = timedelta(days=700) / max(annotations, 1)  # ids grow with time, as in real use
        start_time = datetime.now(UTC) - timedelta(hours=1) - step * annotations
        articles = [
            _article(rng, first_article + n, start_time + step * n * ANNOTATIONS_PER_ARTICLE, paragraphs)
            for n in range(n_articles)
        ]

        def annotation_rows():
            annotation_id, clock = first_annotation, start_time
            for number, article in enumerate(articles):
                count = min(ANNOTATIONS_PER_ARTICLE, annotations - number * ANNOTATIONS_PER_ARTICLE)
                for span in _spans(rng, article[2], count, sentences=sentences):
                    clock += step
                    yield _annotation(rng, annotation_id, article, span, clock, annotators, reviewers)
                    annotation_id += 1

        with transaction.atomic():
            _skip_foreign_key_checks()
            _insert(Article, _columns(Article), articles)
            _insert_first_revisions(first_article)
            _insert(Annotation, _columns(Annotation), annotation_rows())
            _insert_history(first_annotation)
            _move_sequences()
            recount_all_errors()  # the articles' MQM tallies, as the services keep them
        loaded = time.monotonic() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Fresh statistics and visibility map, so plans and index-only scans are right at once.
                for model in (Article, Annotation, AnnotationEvent, ArticleErrorTally):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"added {n_articles} articles, {annotations} annotations and their history "
            f"in {loaded:.1f} s (+ {time.monotonic() - started - loaded:.1f} s VACUUM ANALYZE)"
        )


def _users() -> tuple[list[int], list[int]]:
    """Ids of 40 benchmark annotators and 15 reviewers (created once, reused on later runs)."""
    sync_role_groups()
    User = get_user_model()
    ids = {}
    for role, count in ((Role.ANNOTATOR, 40), (Role.REVIEWER, 15)):
        group = Group.objects.get(name=role.group_name)
        ids[role] = []
        for number in range(count):
            user, created = User.objects.get_or_create(
                username=f"bench-{role.group_name}-{number:02d}", defaults={"is_staff": True}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(group)
            ids[role].append(user.pk)
    return ids[Role.ANNOTATOR], ids[Role.REVIEWER]


def _next_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1


def _word_paragraphs(rng: random.Random) -> list[str]:
    """Paragraphs of words drawn from WORDS (the default data)."""
    return [" ".join(rng.choices(WORDS, k=rng.randint(40, 110))).capitalize() + "." for _ in range(rng.randint(4, 9))]


def _news_paragraphs(seed: int):
    """A maker of paragraphs of news-like sentences: people, organisations, places, figures and
    days, as claims have them (Faker's names; a handful of sentence shapes)."""
    try:
        from faker import Faker  # a test requirement (factory_boy's): only this option needs it
    except ImportError:
        raise CommandError("--sentences needs Faker: pip install -r requirements-dev.txt") from None
    fake = Faker("en_US")
    fake.seed_instance(seed)

    def sentence(rng: random.Random) -> str:
        shapes = [
            lambda: (
                f"{fake.name()} {rng.choice(VERBS)} that {rng.randint(2, 900_000):,} {rng.choice(GROUPS)} "
                f"{rng.choice(MOVES)} {fake.city()} since {fake.day_of_week()}"
            ),
            lambda: (
                f"{fake.company()} {rng.choice(VERBS)} it would send {rng.randint(2, 5000)} "
                f"{rng.choice(GROUPS)} to {fake.country()} by {fake.month_name()}"
            ),
            lambda: (
                f"The embassy of {fake.country()} in {fake.city()} will move to a temporary office in "
                f"{fake.city()}, {fake.name()} {rng.choice(VERBS)}"
            ),
            lambda: (
                f"{rng.randint(2, 900)} {rng.choice(GROUPS)} {rng.choice(MOVES)} {fake.city()} on "
                f"{fake.day_of_week()}, according to {fake.company()}"
            ),
        ]
        return rng.choice(shapes)()

    def paragraphs(rng: random.Random) -> list[str]:
        return [". ".join(sentence(rng) for _ in range(rng.randint(3, 6))) + "." for _ in range(rng.randint(4, 9))]

    return paragraphs


VERBS = ["said", "announced", "claimed", "denied", "warned", "confirmed", "reported", "promised", "estimated"]
GROUPS = ["people", "refugees", "troops", "nationals", "workers", "students", "volunteers", "families"]
MOVES = ["fled", "arrived in", "left", "were evacuated from", "crossed into", "returned to", "were stranded in"]


def _article(rng: random.Random, article_id: int, when: datetime, make_paragraphs=_word_paragraphs) -> tuple:
    paragraphs = make_paragraphs(rng)
    # The number makes every body unique (content_sha256 is unique).
    body = f"Benchmark article {article_id}, {rng.randrange(10**9)}.\n\n" + "\n\n".join(paragraphs) + "\n"
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 11))).capitalize()
    source = rng.choice(SOURCES)
    slug = hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()[:12]
    url = f"https://news.example/{source.lower().replace(' ', '-')}/{slug}"
    published = when - timedelta(hours=rng.randint(1, 72))
    return (
        article_id,
        title,
        body,
        source,
        url,
        rng.choice(LANGUAGES),
        published,
        body_sha256(body),
        None,
        when,
        1,  # revision
        None,  # revised_at
        count_words(body),
    )


def _in_a_sentence(rng: random.Random, body: str, bounds: list[tuple], word: int) -> tuple[int, int]:
    """The first and last word of a run of 5 words or more inside the sentence of word `word` (of
    the whole run when shorter): words that end no sentence and start no paragraph."""

    def inside(n: int) -> bool:
        text = body[bounds[n][0] : bounds[n][1]]
        return "." not in text and "\n" not in text

    if not inside(word):  # a sentence's last word, or a paragraph's first: the next word that is inside
        word = next((n for n in range(word + 1, len(bounds)) if inside(n)), None)
        if word is None:
            return len(bounds) - 1, len(bounds) - 1
    first = last = word
    while first > 0 and inside(first - 1):
        first -= 1
    while last < len(bounds) - 1 and inside(last + 1):
        last += 1
    if last - first >= 5:
        first = rng.randint(first, last - 4)
        last = rng.randint(first + 4, last)
    return first, last


ENTITY_TYPES = EntityType.values
ARTIFACT_TYPES = ArtifactType.values


def _spans(rng: random.Random, body: str, count: int, *, sentences: bool = False) -> list[tuple]:
    """`count` word-aligned spans with their kind and type, no (span, kind, type) twice; with
    `sentences`, a claim is 5 words to a whole sentence."""
    bounds, at = [], 0
    for word in body.split(" "):
        bounds.append((at, at + len(word)))
        at += len(word) + 1
    seen, spans = set(), []
    while len(spans) < count:
        kind = rng.choices(*KIND_WEIGHTS)[0]
        first = rng.randrange(len(bounds))
        last = min(len(bounds) - 1, first + rng.choice((0, 0, 0, 1, 1, 2, 3, 5)))
        if sentences and kind == Kind.CLAIM:
            first, last = _in_a_sentence(rng, body, bounds, first)
        start, end = bounds[first][0], bounds[last][1]
        if end <= start:
            continue
        entity_type = rng.choice(ENTITY_TYPES) if kind == Kind.ENTITY else ""
        artifact_type = rng.choice(ARTIFACT_TYPES) if kind == Kind.TRANSLATION_ARTIFACT else ""
        key = (start, end, kind, entity_type, artifact_type)
        if key not in seen:
            seen.add(key)
            spans.append(key)
    return spans


def _annotation(rng, annotation_id, article, span, created, annotators, reviewers) -> tuple:
    start, end, kind, entity_type, artifact_type = span
    status = rng.choices(*STATUS_WEIGHTS)[0]
    reviewer, reviewed, comment = None, None, ""
    if status != Status.PENDING:
        reviewer = rng.choice(reviewers)  # reviewers and annotators are different users: four eyes
        reviewed = created + timedelta(minutes=rng.randint(5, 60 * 48))
        comment = rng.choice(REVIEW_COMMENTS_APPROVED if status == Status.APPROVED else REVIEW_COMMENTS_REJECTED)
    return (
        annotation_id,
        article[0],
        kind,
        start,
        end,
        article[2][start:end],
        *span_context(article[2], start, end),
        entity_type,
        artifact_type,
        rng.choice(CORRECTIONS) if kind == Kind.TRANSLATION_ARTIFACT else "",
        rng.choices(*SEVERITY_WEIGHTS)[0] if kind == Kind.TRANSLATION_ARTIFACT else "",
        rng.choice(CLAIMANTS) if kind == Kind.CLAIM else "",
        rng.choice(Rating.values) if kind == Kind.CLAIM and rng.random() < 0.5 else "",  # half the claims rated
        "",  # rating_explanation
        None,  # claim_date
        None,  # claim_group
        rng.choice(NOTES),
        *_provenance(rng, kind),
        status,
        rng.choice(annotators),
        created,
        reviewed or created,
        reviewer,
        reviewed,
        comment,
        1,  # revision
        None,  # fixed_in_revision
    )


def _provenance(rng: random.Random, kind: str) -> tuple:
    """Origin, model and confidence: most annotations a person's, a fifth of the entities and
    artifacts a model's suggestions, a few imported."""
    roll = rng.random()
    if kind != Kind.CLAIM and roll < 0.2:
        model = "spacy-ner 3.8" if kind == Kind.ENTITY else "mt-qe 2.1"
        return Origin.MACHINE, model, round(rng.uniform(0.3, 1.0), 3)
    if roll > 0.95:
        return Origin.IMPORT, "", None
    return Origin.HUMAN, "", None


def _skip_foreign_key_checks():
    """Bulk-load like pg_restore --disable-triggers: the rows are consistent by
    construction, and per-row foreign key triggers would cost more than the load.
    Only a superuser may; anyone else gets the checks (slower, same data)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _insert(model, columns, rows):
    rows = _checked(rows, len(columns))
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    # Plain INSERTs, not bulk_create: these rows carry their own auto_now(_add) times.
    statement = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(statement, [[adapt(v) if isinstance(v, datetime) else v for v in r] for r in batch])


def _checked(rows, width: int):
    """The rows, the first checked to be as wide as the columns: a field added to the model
    without its value here fails at once rather than shifting every column after it."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    if len(first) != width:
        raise CommandError(f"rows have {len(first)} values for {width} columns")
    yield first
    yield from rows


def _insert_history(first_annotation: int):
    """A "created" event for each new annotation and a review event for each reviewed one."""
    events, annotations = AnnotationEvent._meta.db_table, Annotation._meta.db_table
    # `changes` is for edits only: these events have none ('{}', which both databases read as JSON).
    columns = "annotation_id, action, actor_id, at, from_status, to_status, comment, changes"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} ({columns}) SELECT id, %s, created_by_id, created_at, '', %s, '', '{{}}' "  # noqa: S608
            f"FROM {annotations} WHERE id >= %s ORDER BY id",
            [HistoryAction.CREATED, Status.PENDING, first_annotation],
        )
        cursor.execute(
            f"INSERT INTO {events} ({columns}) SELECT id, status, reviewed_by_id, reviewed_at, %s, status, "  # noqa: S608
            f"review_comment, '{{}}' FROM {annotations} WHERE id >= %s AND status <> %s ORDER BY id",
            [Status.PENDING, first_annotation, Status.PENDING],
        )


def _insert_first_revisions(first_article: int):
    """Each new article's body as its revision 1, in one INSERT ... SELECT."""
    revisions, articles = ArticleRevision._meta.db_table, Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {revisions} (article_id, number, title, body, content_sha256, note, created_at) "  # noqa: S608 - model table names
            f"SELECT id, 1, title, body, content_sha256, '', created_at FROM {articles} WHERE id >= %s",
            [first_article],
        )


def _move_sequences():
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself
    with connection.cursor() as cursor:
        for model in (Article, Annotation, AnnotationEvent):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"  # noqa: S608 - model table names
            )
