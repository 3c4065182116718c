"""The peer exports built by PostgreSQL hold what the Python path writes, on awkward text: emoji
(flags, a family joined by ZWJs), combining marks, quotes, backslashes, spans over line breaks,
an astral character at offset 0, an article with none, machine suggestions."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from annotations.domain.kinds import ArtifactType, EntityType, Kind
from annotations.interchange import peer_exports
from annotations.interchange.records import records
from annotations.models import Annotation
from annotations.query.peer_exports import peer_label
from annotations.selectors.annotations import annotations_for_export
from tests.factories import AnnotationFactory, ArticleFactory

pytestmark = pytest.mark.django_db

ASTRAL = (
    "Prime Minister 🇯🇵 Fumio Kishida said\nJapan will take 👩\u200d👩\u200d👧 refugees 🙂 "
    '"from" C:\\Ukraine.\nThe e\u0301nd, cafe\u0301.'
)
NO_ASTRAL = 'Zürich and naïve 東京 met Москва — "quoted" \\n not a break, cafe\u0301 \u2028 after a separator.'
ASTRAL_FIRST = "🙂 starts it, 📈 then words."


@pytest.fixture
def awkward(annotator, reviewer):
    """Three articles' approved spans (a machine suggestion among them), and a pending and a
    rejected one that no export holds."""
    astral = ArticleFactory(title='Kishida "said" C:\\', body=ASTRAL, url="https://news.example/k?a=1&b=\\")
    plain = ArticleFactory(title="Plain", body=NO_ASTRAL)
    first = ArticleFactory(title="Emoji first", body=ASTRAL_FIRST)
    approve = {"status": "approved", "reviewed_by": reviewer}
    spans = [
        (astral, {"kind": "entity", "quote": "Fumio Kishida", "entity_type": "PERSON"}),
        (astral, {"kind": "claim", "quote": "said\nJapan will take 👩\u200d👩\u200d👧 refugees", "note": "two\nlines"}),
        (astral, {"kind": "translation_artifact", "quote": '"from" C:\\Ukraine', "artifact_type": "wrong_referent"}),
        (astral, {"kind": "entity", "quote": "e\u0301nd", "entity_type": "EVENT"}),
        (astral, {"kind": "claim", "quote": "Ukraine.\n", "origin": "machine", "model": "ner 2", "confidence": 0.93}),
        (plain, {"kind": "entity", "quote": "東京", "entity_type": "GPE"}),
        (plain, {"kind": "entity", "quote": "cafe\u0301", "entity_type": "ORG"}),
        (plain, {"kind": "claim", "quote": '"quoted" \\n not'}),
        (first, {"kind": "entity", "quote": "🙂", "entity_type": "PRODUCT"}),
        (first, {"kind": "entity", "quote": "words", "entity_type": "LANGUAGE"}),
    ]
    for article, fields in spans:
        AnnotationFactory(created_by=annotator, article=article, **fields, **approve)
    AnnotationFactory(created_by=annotator, article=first, kind="claim", quote="starts it")
    AnnotationFactory(created_by=annotator, article=plain, kind="claim", quote="met", rejected=True)
    return [astral, plain, first]


def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has the Python path alone")


def exported(params: str = ""):
    return annotations_for_export(params=QueryDict(params))


@pytest.mark.postgres
@pytest.mark.parametrize("params", ["", "kind=entity", "origin=machine"])
def test_postgres_label_studio_tasks_equal_python(awkward, params):
    """The tasks PostgreSQL builds parse to the Python path's, for the whole export and filtered."""
    on_postgres()
    from_sql = b"".join(peer_exports.label_studio_postgres(exported(params)))
    from_python = "".join(peer_exports.label_studio_texts(exported(params)))
    assert json.loads(from_sql) == json.loads(from_python)
    assert from_sql.startswith(b"[\n{") and from_sql.endswith(b"}\n]\n")  # a task a line, as in Python
    assert from_sql.count(b"\n") == from_python.count("\n")


@pytest.mark.postgres
def test_postgres_label_studio_is_an_empty_list_with_nothing_to_export(awkward):
    on_postgres()
    assert b"".join(peer_exports.label_studio_postgres(exported("kind=claim&origin=import"))) == b"[\n]\n"


@pytest.mark.postgres
@pytest.mark.parametrize("params", ["", "kind=claim"])
def test_postgres_doccano_lines_equal_python(awkward, params):
    on_postgres()
    from_sql = b"".join(peer_exports.doccano_postgres(exported(params))).decode()
    from_python = "".join(peer_exports.doccano_texts(exported(params)))
    # Split at line feeds only: str.splitlines() would also split at the raw U+2028 both write.
    assert [json.loads(line) for line in from_sql.split("\n")[:-1]] == [
        json.loads(line) for line in from_python.split("\n")[:-1]
    ]
    assert from_sql.count("\n") == from_python.count("\n")  # an article a line: no raw break inside


@pytest.mark.postgres
def test_postgres_doccano_offsets_count_utf16_units(awkward):
    """Each label's offsets, counted in UTF-16 code units of the line's text, select its quote:
    before, inside and after astral characters, at offset 0, and where there are none."""
    on_postgres()
    lines = [json.loads(line) for line in b"".join(peer_exports.doccano_postgres(exported())).splitlines()]
    quotes = {}
    for line in lines:
        units = line["text"].encode("utf-16-le")
        for start, end, label in line["label"]:
            quotes.setdefault(line["title"], []).append((units[2 * start : 2 * end].decode("utf-16-le"), label))
    assert quotes == {
        'Kishida "said" C:\\': [
            ("Fumio Kishida", "PERSON"),
            ("said\nJapan will take 👩\u200d👩\u200d👧 refugees", "CLAIM"),
            ('"from" C:\\Ukraine', "WRONG_REFERENT"),
            ("e\u0301nd", "EVENT"),
            ("Ukraine.\n", "CLAIM"),
        ],
        "Plain": [("東京", "GPE"), ("cafe\u0301", "ORG"), ('"quoted" \\n not', "CLAIM")],
        "Emoji first": [("🙂", "PRODUCT"), ("words", "LANGUAGE")],
    }
    first = next(line for line in lines if line["title"] == "Emoji first")
    assert first["label"][0][:2] == [0, 2]  # an astral character at 0 counts two units


@pytest.mark.postgres
def test_postgres_brat_files_equal_python(awkward):
    """Each article's .txt and .ann, PostgreSQL's byte for byte the Python path's; spans over a
    line break in pieces."""
    on_postgres()
    from_sql = list(peer_exports.brat_files_postgres(exported()))
    assert from_sql == list(peer_exports.brat_files(exported()))
    astral, plain, first = awkward
    assert [article_id for article_id, _, _ in from_sql] == [astral.pk, plain.pk, first.pk]
    ann = from_sql[0][2].decode()
    quote = "said\nJapan will take 👩\u200d👩\u200d👧 refugees"
    start = ASTRAL.index(quote)
    places = f"{start} {start + 4};{start + 5} {start + len(quote)}"  # code points: the family counts 5
    assert f"T2\tCLAIM {places}\tsaid Japan will take 👩\u200d👩\u200d👧 refugees\n" in ann
    assert ann.count("\n") == 5 and ann.startswith("T1\tPERSON ")


@pytest.mark.postgres
def test_postgres_brat_zip_holds_the_files(client_for, consumer, awkward):
    """The zip served on PostgreSQL has each article's .txt (its stored body) and .ann."""
    on_postgres()
    content = b"".join(client_for(consumer).get("/api/exports/annotations.brat.zip").streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    _, plain, first = awkward
    names = [f"article-{article.pk}.{ext}" for article in awkward for ext in ("txt", "ann")]
    assert archive.namelist() == names
    assert archive.read(f"article-{plain.pk}.txt").decode() == NO_ASTRAL
    words = ASTRAL_FIRST.index("words")
    ann = f"T1\tPRODUCT 0 1\t🙂\nT2\tLANGUAGE {words} {words + 5}\twords\n"
    assert archive.read(f"article-{first.pk}.ann").decode() == ann


def test_peer_label_in_sql_is_label_of(annotator):
    """The SQL label and the Python one agree on every kind and type (both databases)."""
    article = ArticleFactory(body="x " * 40)
    fields = [{"kind": Kind.CLAIM.value}]
    fields += [{"kind": Kind.ENTITY.value, "entity_type": t.value} for t in EntityType]
    fields += [{"kind": Kind.TRANSLATION_ARTIFACT.value, "artifact_type": t.value} for t in ArtifactType]
    for at, given in enumerate(fields):
        AnnotationFactory(created_by=annotator, article=article, start=2 * at, end=2 * at + 1, **given)
    annotations = Annotation.objects.order_by("id")
    in_sql = list(annotations.values_list(peer_label(), flat=True))
    in_python = [peer_exports.label_of(record) for record in records(annotations)]
    assert in_sql == in_python
    assert {"CLAIM", "PERSON", "WORK_OF_ART", "WRONG_REFERENT", "ENCODING"} <= set(in_sql)


@pytest.mark.parametrize("name", ["label-studio.json", "doccano.jsonl", "brat.zip"])
def test_a_peer_export_reads_no_more_queries_for_more_articles(client_for, consumer, annotator, reviewer, name):
    """One article or four, the same queries (both databases): none per article or span."""

    def queries() -> int:
        client = client_for(consumer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/exports/annotations.{name}")
            b"".join(response.streaming_content)
        return len(captured)

    def add_article(body: str):
        article = ArticleFactory(body=body)
        for quote in ("🙂", "two"):
            AnnotationFactory(created_by=annotator, article=article, kind="claim", quote=quote, approved=True)

    add_article("one 🙂 two")
    one = queries()
    for n in range(3):
        add_article(f"{n} 🙂 two")
    assert queries() == one
