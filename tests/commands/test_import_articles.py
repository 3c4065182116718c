"""import_articles: exact bodies, metadata, all-or-nothing files, clear failures, bulk speed."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article
from tests.conftest import SEEDS
from tests.factories import AnnotationFactory


def run_import(*paths, **options) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return out.getvalue(), err.getvalue(), code


@pytest.mark.django_db
def test_seed_bodies_are_stored_exactly_as_the_files():
    """Every seed's stored body equals the file's text, so that offsets into it stay true."""
    run_import(SEEDS)
    for path in sorted(SEEDS.glob("*.txt")):
        article = Article.objects.get(imported_from=path.name)
        assert article.body == path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_importing_seeds_twice_imports_then_skips():
    """The second run stores nothing new and says it skipped the three seeds."""
    out, _, code = run_import(SEEDS)
    assert out.strip().splitlines()[-1] == "imported 3, revised 0, skipped 0, failed 0"
    assert code == 0
    out, _, code = run_import(SEEDS)
    assert out.strip().splitlines()[-1] == "imported 0, revised 0, skipped 3, failed 0"
    assert code == 0
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_sidecar_metadata_is_used():
    """NAME.json beside NAME.txt gives the title, source, language and date."""
    run_import(SEEDS / "000_341965346715e028.txt")
    article = Article.objects.get()
    assert article.source == "Kyodo News"
    assert article.title.startswith("Japan to accept people fleeing Ukraine")
    assert article.published_at.date().isoformat() == "2022-03-02"
    assert article.language == "en"


@pytest.mark.django_db
def test_txt_without_sidecar_gets_inferred_title_and_date(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2023-05-01 Ministers meet in Tokyo today\n\nBody text.\n", encoding="utf-8")
    out, _, _ = run_import(tmp_path)
    assert out.strip().endswith("imported 1, revised 0, skipped 0, failed 0")
    article = Article.objects.get()
    assert article.title == "Ministers meet in Tokyo today"
    assert article.published_at.isoformat() == "2023-05-01T00:00:00+00:00"
    assert article.imported_from == "a.txt"


@pytest.mark.django_db
def test_line_endings_normalised_and_bom_dropped(tmp_path):
    """CRLF and CR become LF and a leading BOM goes; nothing else changes."""
    (tmp_path / "crlf.txt").write_bytes("\ufeffFirst line of the story here\r\nsecond\rthird  \r\n".encode())
    run_import(tmp_path)
    assert Article.objects.get().body == "First line of the story here\nsecond\nthird  \n"


@pytest.mark.django_db
def test_jsonl_imports_one_article_a_line(tmp_path):
    lines = [
        {"title": "One", "body": "Body one.", "source": "AP", "language": "fr", "published_at": "2022-03-01T10:00:00Z"},
        {"title": "Two", "body": "Body two.", "url": "https://example.org/two"},
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    out, _, code = run_import(tmp_path / "batch.jsonl")
    assert (out.strip(), code) == ("imported 2, revised 0, skipped 0, failed 0", 0)
    one, two = Article.objects.order_by("title")
    assert (one.source, one.language, one.imported_from) == ("AP", "fr", "batch.jsonl")
    assert two.url == "https://example.org/two"


@pytest.mark.django_db
def test_jsonl_with_one_bad_line_fails_by_name_and_line_and_stores_nothing(tmp_path):
    good = json.dumps({"title": "Fine", "body": "Fine body."})
    bad = json.dumps({"title": "No body"})
    path = tmp_path / "mixed.jsonl"
    path.write_text(f"{good}\n{bad}\n{good.replace('Fine body', 'Other body')}\n", encoding="utf-8")
    out, err, code = run_import(path)
    assert out.strip() == "imported 0, revised 0, skipped 0, failed 1"
    assert code == 1
    assert err.splitlines() == [
        f"failed: {path}: line 2: body: This field is required.",
        "1 file(s) failed; nothing of them was stored",
    ]
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_jsonl_line_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "broken.jsonl"
    broken = '{"title": oops}'
    path.write_text(f'{{"title": "A", "body": "B"}}\n{broken}\n', encoding="utf-8")
    _, err, code = run_import(path)
    assert code == 1
    column = broken.index("oops") + 1
    assert err.splitlines() == [
        f"failed: {path}: line 2: not valid JSON: Expecting value at column {column}",
        "1 file(s) failed; nothing of them was stored",
    ]
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_file_that_is_not_utf8_fails_with_byte_position(tmp_path):
    path = tmp_path / "latin1.txt"
    raw = "Le président a parlé ce matin\n".encode("latin-1")
    path.write_bytes(raw)
    out, err, code = run_import(path)
    assert out.strip() == "imported 0, revised 0, skipped 0, failed 1"
    assert code == 1
    position = raw.index(b"\xe9")
    assert err.splitlines() == [
        f"failed: {path}: line 1: not valid utf-8: byte 0xe9 at byte position {position} (invalid continuation byte);"
        " name the file's encoding with --encoding",
        "1 file(s) failed; nothing of them was stored",
    ]
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_encoding_option_decodes_other_encodings(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le président a parlé ce matin\n".encode("latin-1"))
    out, _, code = run_import(path, encoding="latin-1")
    assert (out.strip(), code) == ("imported 1, revised 0, skipped 0, failed 0", 0)
    assert Article.objects.get().body == "Le président a parlé ce matin\n"


@pytest.mark.django_db
def test_a_bad_file_does_not_stop_the_good_ones(tmp_path):
    (tmp_path / "good.txt").write_text("A perfectly good headline here\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"title": ""}\n', encoding="utf-8")
    out, err, code = run_import(tmp_path)
    assert out.strip() == "imported 1, revised 0, skipped 0, failed 1"
    assert code == 1
    assert err.splitlines() == [
        f"failed: {tmp_path / 'bad.jsonl'}: line 1: title: This field may not be blank.; body: This field is required.",
        "1 file(s) failed; nothing of them was stored",
    ]


@pytest.mark.django_db
def test_missing_path_and_wrong_suffix_are_failures(tmp_path):
    (tmp_path / "notes.md").write_text("# hi", encoding="utf-8")
    out, err, _ = run_import(tmp_path / "nope", tmp_path / "notes.md")
    assert out.strip() == "imported 0, revised 0, skipped 0, failed 2"
    assert err.splitlines() == [
        f"failed: {tmp_path / 'nope'}: no such file or folder",
        f"failed: {tmp_path / 'notes.md'}: not an article file (expected .txt or .jsonl)",
        "2 file(s) failed; nothing of them was stored",
    ]


@pytest.mark.django_db
def test_duplicate_bodies_within_a_file_are_skipped(tmp_path):
    line = json.dumps({"title": "Same", "body": "Same body."})
    (tmp_path / "dupes.jsonl").write_text(f"{line}\n{line}\n", encoding="utf-8")
    out, _, _ = run_import(tmp_path)
    assert out.strip() == "imported 1, revised 0, skipped 1, failed 0"


@pytest.mark.django_db
def test_many_articles_import_in_bulk(tmp_path, django_assert_max_num_queries):
    """5,000 articles in 50 files take a few dozen queries (SQLite caps rows per INSERT), not one a row."""
    for n in range(50):
        lines = [json.dumps({"title": f"Story {n}-{i}", "body": f"Body {n}-{i}."}) for i in range(100)]
        (tmp_path / f"part{n:02}.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with django_assert_max_num_queries(150):  # articles and their revision 1, in batches
        out, _, _ = run_import(tmp_path)
    assert out.strip() == "imported 5000, revised 0, skipped 0, failed 0"
    assert Article.objects.count() == 5000


# --- hostile and unusual files -----------------------------------------------------------------

TRICKY_BODIES = [
    "A line separator\u2028inside, and a next-line\u0085too.",
    "Emoji 🇯🇵 and 🙂, a paragraph separator\u2029and a form feed\x0c.",
    "Vertical tab\x0b, file separator\x1c and CRLF\r\nin the original.",
]


@pytest.mark.django_db
def test_jsonl_lines_split_at_newlines_only(tmp_path):
    """U+2028, U+0085 and the other breaks str.splitlines() splits at stand raw inside JSON
    strings (as Copydesk's own JSON writers leave them): they no longer break a line."""
    lines = [
        json.dumps({"title": f"Tricky {n}", "body": body}, ensure_ascii=False) for n, body in enumerate(TRICKY_BODIES)
    ]
    (tmp_path / "tricky.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err, code = run_import(tmp_path)
    assert (out.strip().splitlines()[-1], err, code) == ("imported 3, revised 0, skipped 0, failed 0", "", 0)
    stored = dict(Article.objects.values_list("title", "body"))
    assert stored == {f"Tricky {n}": body.replace("\r\n", "\n") for n, body in enumerate(TRICKY_BODIES)}


@pytest.mark.django_db
def test_articles_read_from_the_api_import_back_the_same(tmp_path, client_for, annotator):
    """The round trip: articles created through the API, written as JSONL the way Copydesk
    writes JSON (raw, not escaped), imported into an empty database: the same bodies."""
    client = client_for(annotator)
    for n, body in enumerate(TRICKY_BODIES):
        assert client.post("/api/articles/", {"title": f"Tricky {n}", "body": body}).status_code == 201
    fields = ["title", "body", "source", "url", "language", "published_at"]
    records = [
        {name: client.get(f"/api/articles/{a['id']}/").json()[name] for name in fields}
        for a in client.get("/api/articles/").json()["results"]
    ]
    before = dict(Article.objects.values_list("title", "body"))
    Article.objects.all().delete()
    (tmp_path / "export.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8"
    )
    assert run_import(tmp_path)[0].strip().splitlines()[-1] == "imported 3, revised 0, skipped 0, failed 0"
    assert dict(Article.objects.values_list("title", "body")) == before


@pytest.mark.django_db
def test_a_bom_is_accepted_on_jsonl_files_and_sidecars(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "BOM JSONL", "body": "Text."}).encode())
    (tmp_path / "b.txt").write_text("Wire copy with a sidecar.\n", encoding="utf-8")
    (tmp_path / "b.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "BOM sidecar", "source": "AP"}).encode())
    out, err, code = run_import(tmp_path)
    assert (out.strip().splitlines()[-1], err, code) == ("imported 2, revised 0, skipped 0, failed 0", "", 0)
    assert dict(Article.objects.values_list("title", "source")) == {"BOM JSONL": "", "BOM sidecar": "AP"}


@pytest.mark.django_db
def test_a_bom_wins_over_the_encoding_option(tmp_path):
    """Latin-1 and UTF-8-with-BOM files side by side, run with --encoding latin-1 as the error
    advises: the BOM file is read as UTF-8, not as mojibake."""
    (tmp_path / "latin.txt").write_bytes("Café crème in Zürich today\n".encode("latin-1"))
    (tmp_path / "utf8.txt").write_bytes(b"\xef\xbb\xbf" + "BOM wire copy: Дніпро and Kraków\n".encode())
    out, _, code = run_import(tmp_path, encoding="latin-1")
    assert (out.strip().splitlines()[-1], code) == ("imported 2, revised 0, skipped 0, failed 0", 0)
    assert sorted(Article.objects.values_list("body", flat=True)) == [
        "BOM wire copy: Дніпро and Kraków\n",
        "Café crème in Zürich today\n",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"title": "Deep", "body": ' + "[" * 5000 + "]" * 5000 + "}", "not readable JSON: nested too deeply"),
        (
            '{"title": "Huge", "body": "x", "published_at": 1' + "0" * 5000 + "}",
            "not readable JSON: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 "
            "digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
    ],
)
def test_unreadable_json_fails_its_file_by_name_and_the_good_files_beside_import(tmp_path, line, reason):
    (tmp_path / "bad.jsonl").write_text(json.dumps({"title": "Fine", "body": "Stored? No."}) + "\n" + line + "\n")
    (tmp_path / "good.jsonl").write_text(json.dumps({"title": "Good", "body": "Stored."}) + "\n")
    out, err, code = run_import(tmp_path)
    assert out.strip().splitlines()[-1] == "imported 1, revised 0, skipped 0, failed 1"
    assert err.splitlines()[0] == f"failed: {tmp_path / 'bad.jsonl'}: line 2: {reason}"
    assert code == 1
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]


# --- revisions by url --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_article_whose_url_is_stored_with_another_body_is_its_next_revision(tmp_path, annotator):
    """A corrected wire story re-sent under its url: revision 2 of the same article, annotations
    re-anchored (the one on a sentence now gone is orphaned), not a second article."""
    url = "https://wire.example/2022/03/evacuation"
    body = "Tokyo said on Monday that the citizens of the State of Sakura were safe. Officials gave no figures."
    (tmp_path / "v1.jsonl").write_text(json.dumps({"title": "Evacuation", "body": body, "url": url}), encoding="utf-8")
    run_import(tmp_path / "v1.jsonl")
    article = Article.objects.get(url=url)
    kept = AnnotationFactory(article=article, quote="Tokyo", kind="entity", entity_type="GPE", created_by=annotator)
    gone = AnnotationFactory(article=article, quote="Officials gave no figures.", created_by=annotator)

    revised = "UPDATE: " + body.replace(" Officials gave no figures.", "")
    (tmp_path / "v2.jsonl").write_text(
        json.dumps({"title": "Evacuation (corrected)", "body": revised, "url": url}), encoding="utf-8"
    )
    out, _, code = run_import(tmp_path / "v2.jsonl")

    assert (out.strip(), code) == ("imported 0, revised 1, skipped 0, failed 0", 0)
    assert Article.objects.filter(url=url).count() == 1
    article.refresh_from_db()
    assert (article.revision, article.body, article.title) == (2, revised, "Evacuation (corrected)")
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert (kept.start, kept.quote, kept.revision) == (len("UPDATE: "), "Tokyo", 2)
    assert (gone.status, gone.revision) == ("orphaned", 1)
    revision = article.revisions.get(number=2)
    assert revision.created_by is None
    assert revision.note == "imported from v2.jsonl"
    assert revision.reanchoring == {"unchanged": 0, "moved": 1, "fuzzy": 0, "fixed": 0, "orphaned": 1}

    # Sending either version again stores nothing: both bodies are stored.
    out, _, _ = run_import(tmp_path / "v1.jsonl", tmp_path / "v2.jsonl")
    assert out.strip() == "imported 0, revised 0, skipped 2, failed 0"


@pytest.mark.django_db
def test_a_file_with_an_article_and_its_correction_stores_both_revisions(tmp_path):
    """Within one file (in order): the first line is a new article, the second its revision 2."""
    url = "https://wire.example/2022/03/aid"
    lines = [
        json.dumps({"title": "Aid", "body": "Japan will send aid to Ukraine.", "url": url}),
        json.dumps({"title": "Aid", "body": "Japan will send more aid to Ukraine.", "url": url}),
    ]
    (tmp_path / "aid.jsonl").write_text("\n".join(lines), encoding="utf-8")
    out, _, _ = run_import(tmp_path)
    assert out.strip() == "imported 1, revised 1, skipped 0, failed 0"
    article = Article.objects.get(url=url)
    assert list(article.revisions.values_list("number", "body")) == [
        (1, "Japan will send aid to Ukraine."),
        (2, "Japan will send more aid to Ukraine."),
    ]
