"""interchange/annotation_files.py: each format's reader, on texts with emoji, combining marks and
CRLF, offsets in the format's own unit; a bad record in each refused by name with nothing
stored; the W3C JSON-LD reader's articles, revisions and shapes; JSON read a record at a time."""

import io
import json
import zipfile

import pytest

from annotations.domain.imports import ImportFailed
from annotations.domain.label_mapping import mapping_of
from annotations.interchange.annotation_files import read
from annotations.interchange.jsonld import UNNAMED_MODEL
from annotations.models import Annotation, Article
from annotations.services.annotation_imports import annotations_import
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# A flag (two code points, four UTF-16 units), an emoji (one code point, two units), combining
# marks (e + U+0301 is two code points that a reader sees as one letter), CRLF line endings.
TEXT = "Le cafe\u0301 🇯🇵 de Zoe\u0308:\r\nKishida 🙂 met Zelensky.\r\nThe end."
STORED = TEXT.replace("\r\n", "\n")
WORDS = {"cafe\u0301": "PERSON", "Zoe\u0308": "PERSON", "Kishida": "PERSON", "Zelensky": "PERSON", "The end": "CLAIM"}


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def import_file(actor, fmt: str, content: bytes, mapping=None):
    return annotations_import(actor=actor, spans=read(fmt, io.BytesIO(content)), mapping=mapping_of(mapping))


def brat_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode())
    return buffer.getvalue()


# --- Each format's file, its offsets counted as its own tool counts -------------------------------


def doccano_file(words=WORDS) -> bytes:
    labels = [[utf16(TEXT, TEXT.index(w)), utf16(TEXT, TEXT.index(w) + len(w)), label] for w, label in words.items()]
    return json.dumps({"text": TEXT, "label": labels}, ensure_ascii=False).encode()


def label_studio_file(words=WORDS) -> bytes:
    # Code points of data.text as the task has it: CRLF counts two.
    result = [
        {"type": "labels", "value": {"start": TEXT.index(w), "end": TEXT.index(w) + len(w), "text": w, "labels": [k]}}
        for w, k in words.items()
    ]  # fmt: skip
    return json.dumps([{"data": {"text": TEXT}, "annotations": [{"result": result}]}], ensure_ascii=False).encode()


def brat_file(words=WORDS) -> bytes:
    ann = "".join(
        f"T{n}\t{label} {TEXT.index(w)} {TEXT.index(w) + len(w)}\t{w}\n"
        for n, (w, label) in enumerate(words.items(), 1)
    )
    return brat_zip({"doc.txt": TEXT, "doc.ann": ann})


def copydesk_jsonl_file(words=WORDS) -> bytes:
    # The stored body's code points (LF line endings); the article found by its url.
    lines = [
        {"url": "https://news.example/cafe", "start": STORED.index(w), "end": STORED.index(w) + len(w), "quote": w,
         **({"kind": "claim"} if label == "CLAIM" else {"kind": "entity", "entity_type": label})}
        for w, label in words.items()
    ]  # fmt: skip
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def web_annotation(article_id: int, start: int, end: int, tags: list[str], revision: int = 1, **selector) -> dict:
    base = "https://cd.example/api/articles/"
    return {
        "type": "Annotation",
        "motivation": "tagging",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags],
        "target": {
            "source": f"{base}{article_id}/revisions/{revision}/",
            "scope": f"{base}{article_id}/",
            "selector": [
                {"type": "TextQuoteSelector", **selector},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }


def jsonld_file(words=WORDS) -> bytes:
    article_id = Article.objects.get(url="https://news.example/cafe").pk
    items = [
        web_annotation(article_id, STORED.index(w), STORED.index(w) + len(w),
                       ["claim"] if label == "CLAIM" else ["entity", label], exact=w)
        for w, label in words.items()
    ]  # fmt: skip
    collection = {"type": "AnnotationCollection", "first": {"type": "AnnotationPage", "items": items}}
    return json.dumps(collection, ensure_ascii=False).encode()


FILES = {
    "doccano": doccano_file,
    "label-studio": label_studio_file,
    "brat": brat_file,
    "copydesk-jsonl": copydesk_jsonl_file,
    "w3c-jsonld": jsonld_file,
}
CARRY_NO_TEXT = {"copydesk-jsonl", "w3c-jsonld"}  # their article must be stored already


@pytest.mark.parametrize("fmt", FILES)
def test_each_format_lands_on_the_same_words_past_emoji_combining_marks_and_crlf(annotator, fmt):
    if fmt in CARRY_NO_TEXT:
        ArticleFactory(body=TEXT, url="https://news.example/cafe")
    result = import_file(annotator, fmt, FILES[fmt]())
    assert result.annotations_created == len(WORDS)
    article = Article.objects.get()
    assert article.body == STORED
    stored = {a.quote: (a.kind, a.entity_type) for a in Annotation.objects.all()}
    assert stored == {w: ("claim", "") if label == "CLAIM" else ("entity", label) for w, label in WORDS.items()}
    for annotation in Annotation.objects.all():
        assert STORED[annotation.start : annotation.end] == annotation.quote


# --- A bad record in each format: named, and nothing stored ------------------------------------
# (doccano's: tests/services/test_annotation_imports.py, test_a_bad_file_stores_nothing_...)


def bad_label_studio() -> tuple[bytes, str]:
    tasks = json.loads(label_studio_file())
    between = TEXT.index("\r\n") + 1  # between the CR and its LF: no boundary in the stored body
    tasks.append({"data": {"text": TEXT}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": between, "end": between + 3, "labels": ["PERSON"]}}]}]})  # fmt: skip
    return json.dumps(
        tasks
    ).encode(), f"task 2, region 1: {between} (code points) falls inside a character or between a CR and its LF"


def bad_brat() -> tuple[bytes, str]:
    kishida = TEXT.index("Kishida")
    good = f"T1\tPERSON {kishida} {kishida + 7}\tKishida\n"
    files = {"a.txt": TEXT, "a.ann": good, "b.txt": TEXT, "b.ann": "T1\tWEATHER 0 2\tLe\n"}
    return brat_zip(files), "b.ann, line 1 (T1): the label 'WEATHER' maps to no kind: give a mapping for it"


def bad_copydesk_jsonl() -> tuple[bytes, str]:
    # The accent is a code point of its own: 3-7 stops before it.
    line = {"url": "https://news.example/cafe", "kind": "entity", "entity_type": "PERSON", "start": 3, "end": 7,
            "quote": "cafe\u0301"}  # fmt: skip
    return (
        copydesk_jsonl_file() + json.dumps(line).encode(),
        "line 6: the article at https://news.example/cafe (revision 1) has 'cafe' at 3-7, not the quote "
        "'cafe\u0301': not the text the annotation was made on",
    )


def bad_jsonld() -> tuple[bytes, str]:
    collection = json.loads(jsonld_file())
    article_id = Article.objects.get().pk
    collection["first"]["items"].append(web_annotation(article_id, 3, 7, ["entity", "PERSON"], exact="cafe\u0301"))
    return json.dumps(collection).encode(), (
        f"annotation 6: article {article_id} (revision 1) has 'cafe' at 3-7, not the quote 'cafe\u0301': not the text "
        "the annotation was made on"
    )


@pytest.mark.parametrize(
    ("fmt", "bad"),
    [("label-studio", bad_label_studio), ("brat", bad_brat), ("copydesk-jsonl", bad_copydesk_jsonl),
     ("w3c-jsonld", bad_jsonld)],
)  # fmt: skip
def test_a_bad_record_is_named_and_nothing_is_stored(annotator, fmt, bad):
    if fmt in CARRY_NO_TEXT:
        ArticleFactory(body=TEXT, url="https://news.example/cafe")
    articles = Article.objects.count()
    content, reason = bad()
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, fmt, content)
    assert failed.value.errors == [reason]
    assert Annotation.objects.count() == 0 and Article.objects.count() == articles


# --- W3C JSON-LD: which article, which revision, which shapes ------------------------------------
# (the round trip of the export: tests/api/test_imports.py)


def collection(*items) -> bytes:
    return json.dumps(
        {"type": "AnnotationCollection", "first": {"type": "AnnotationPage", "items": list(items)}}
    ).encode()


def test_a_span_on_an_earlier_revision_comes_in_where_the_revision_moved_it(annotator):
    """Anchored as a revision anchors its annotations: a span the revision only moved is placed
    on the current text; one whose text it changed is refused by name, and nothing is stored."""
    old = "Kishida met Zelensky in Kyiv.\nThe talks were long.\nThe end."
    article = ArticleFactory(body=old)
    article_revise(actor=annotator, article_id=article.pk, body="Yesterday, " + old.replace("long", "short"))
    moved = web_annotation(article.pk, 12, 20, ["entity", "PERSON"], exact="Zelensky")
    changed = web_annotation(article.pk, 30, 49, ["claim"], exact="The talks were long")
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "w3c-jsonld", collection(moved, changed))
    (reason,) = failed.value.errors
    assert reason.startswith(f"annotation 2: made on revision 1 of article {article.pk}, which is now at revision 2")
    assert Annotation.objects.count() == 0
    import_file(annotator, "w3c-jsonld", collection(moved))
    stored = Annotation.objects.get()
    assert (stored.quote, stored.start, stored.revision) == ("Zelensky", 23, 2)


def test_a_jsonl_record_on_an_earlier_revision_is_carried_to_the_current_one_or_named(annotator):
    """Copydesk's JSONL names the revision its offsets point into, as the JSON-LD does: a record
    exported before the article was revised comes in where the revision moved its text, or is
    refused by name; never placed on whatever text now sits at the old offsets."""
    old = "Kishida met Zelensky in Kyiv.\nThe talks were long.\nThe end."
    article = ArticleFactory(body=old, url="https://news.example/talks")
    article_revise(actor=annotator, article_id=article.pk, body="Kishida met " + old.replace("long", "short"))

    def line(start, end, **fields):
        record = {"url": article.url, "revision": 1, "start": start, "end": end, "quote": old[start:end],
                  "prefix": old[:start][-32:], "suffix": old[end:][:32], **fields}  # fmt: skip
        return json.dumps(record)

    moved = line(12, 20, kind="entity", entity_type="PERSON")  # "Zelensky": now at 24, and "Kishida" at 12
    changed = line(30, 49, kind="claim")
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "copydesk-jsonl", f"{moved}\n{changed}\n".encode())
    (reason,) = failed.value.errors
    assert reason.startswith(f"line 2: made on revision 1 of article {article.pk}, which is now at revision 2")
    assert Annotation.objects.count() == 0
    import_file(annotator, "copydesk-jsonl", f"{moved}\n".encode())
    stored = Annotation.objects.get()
    assert (stored.quote, stored.start, stored.revision) == ("Zelensky", 24, 2)


def test_an_article_that_is_not_here_or_a_revision_it_never_had_is_named(annotator):
    article = ArticleFactory(body=STORED)
    missing = Article.objects.order_by("-pk").first().pk + 1
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "w3c-jsonld", collection(
            web_annotation(missing, 0, 2, ["claim"], exact="Le"),
            web_annotation(article.pk, 0, 2, ["claim"], exact="Le", revision=7),
            web_annotation(article.pk, 0, 2, ["claim"], exact="Le", prefix="Oh: "),
        ))  # fmt: skip
    assert failed.value.errors == [
        f"annotation 1: article {missing} is not stored here: a JSON-LD file carries no text, so it is read into the "
        "Copydesk it came from (or a copy of its database), its articles found by id",
        f"annotation 2: article {article.pk} has no revision 7",
        f"annotation 3: the text around 0-2 in article {article.pk} (revision 1) is not the quote's prefix and "
        "suffix: not the text the annotation was made on",
    ]


def test_an_article_is_found_by_its_url_before_its_id(annotator):
    """Another Copydesk's export: the article with the url the target carries, though the IRI's
    id is an article of ours with another text (ids differ between instances)."""
    here = ArticleFactory(body=STORED, url="https://news.example/cafe")
    other = ArticleFactory(body="Kishida met Zelensky. " + STORED)  # its id is the one the file names
    at = STORED.index("Kishida")
    annotation = web_annotation(other.pk, at, at + 7, ["entity", "PERSON"], exact="Kishida")
    annotation["target"]["articleUrl"] = here.url
    import_file(annotator, "w3c-jsonld", collection(annotation))
    stored = Annotation.objects.get()
    assert (stored.article_id, stored.start, stored.quote) == (here.pk, at, "Kishida")


def test_the_id_is_tried_when_the_article_with_the_url_has_another_text(annotator):
    """The Copydesk it came from, where a newer article took the url: placed on the one named by id."""
    named = ArticleFactory(body=STORED, url="https://news.example/cafe")
    ArticleFactory(body="Kishida, again. " + STORED, url=named.url)  # newer: the one the url finds first
    at = STORED.index("Kishida")
    annotation = web_annotation(named.pk, at, at + 7, ["entity", "PERSON"], exact="Kishida")
    annotation["target"]["articleUrl"] = named.url
    import_file(annotator, "w3c-jsonld", collection(annotation))
    assert Annotation.objects.get().article_id == named.pk


def test_an_article_found_by_neither_url_nor_id_or_without_the_text_is_named(annotator):
    """The first article tried (the url's) says why it is not that text, or that it has not the
    revision named (another Copydesk's revisions: the offsets point into one this one lacks)."""
    here = ArticleFactory(body=STORED, url="https://news.example/cafe")
    missing = here.pk + 100
    nowhere = web_annotation(missing, 0, 2, ["claim"], exact="Le")
    nowhere["target"]["articleUrl"] = "https://news.example/gone"
    changed = web_annotation(missing, 0, 2, ["claim"], exact="La")
    changed["target"]["articleUrl"] = here.url
    revised_there = web_annotation(missing, 0, 2, ["claim"], exact="Le", revision=2)
    revised_there["target"]["articleUrl"] = here.url
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "w3c-jsonld", collection(nowhere, changed, revised_there))
    assert failed.value.errors == [
        f"annotation 1: no article has the url 'https://news.example/gone', and article {missing} is not stored "
        "here (the file has no text)",
        "annotation 2: the article at https://news.example/cafe (revision 1) has 'Le' at 0-2, not the quote 'La': "
        "not the text the annotation was made on",
        "annotation 3: the article at https://news.example/cafe has no revision 2",
    ]


def test_copydesks_terms_give_a_claims_fact_check_and_a_suggestions_confidence(annotator):
    """claimant, ratingExplanation and claimDate on a claim; confidence on a machine suggestion
    (on a person's annotation it is passed over, as the JSONL reader does)."""
    article = ArticleFactory(body=STORED)
    end = STORED.index("The end")
    claim = web_annotation(article.pk, end, end + 7, ["claim"], exact="The end")
    claim |= {"claimant": "Kishida", "ratingExplanation": "It ends.", "claimDate": "2025-06-01", "confidence": 0.5}
    at = STORED.index("Kishida")
    machine = web_annotation(article.pk, at, at + 7, ["entity", "PERSON"], exact="Kishida")
    machine |= {"creator": {"type": "Software", "name": "ner 2.1"}, "confidence": 0.0}
    import_file(annotator, "w3c-jsonld", collection(claim, machine))
    stored = Annotation.objects.get(kind="claim")
    assert (stored.claimant, stored.rating_explanation, stored.claim_date.isoformat()) == (
        "Kishida",
        "It ends.",
        "2025-06-01",
    )
    assert (stored.origin, stored.confidence) == ("import", None)
    assert Annotation.objects.values_list("origin", "model", "confidence").get(kind="entity") == (
        "machine",
        "ner 2.1",
        0.0,
    )


def test_copydesks_terms_that_cannot_be_read_are_named(annotator):
    article = ArticleFactory(body=STORED)
    at = STORED.index("Kishida")
    entity = web_annotation(article.pk, at, at + 7, ["entity", "PERSON"], exact="Kishida") | {"claimant": "x"}
    claim = web_annotation(article.pk, 0, 2, ["claim"], exact="Le") | {"claimDate": "soon"}
    url = web_annotation(article.pk, 0, 2, ["claim"], exact="Le")
    url["target"]["articleUrl"] = 5
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "w3c-jsonld", collection(entity, claim, url))
    assert failed.value.errors == [
        "annotation 1: claimant: claimant belongs to claim annotations, not to entity annotations.",
        "annotation 2: claim_date 'soon' is not a date (YYYY-MM-DD)",
        "annotation 3: the target's articleUrl 5 is not text",
    ]
    assert Annotation.objects.count() == 0


def foreign_annotation() -> dict:
    """As another tool writes one: the page's url as source, a quote with its context and no
    position, a tag of the tool's own, its software as creator."""
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "creator": {"type": "Software", "name": "ner 2.1"},
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "PER"},
        "target": {
            "source": "https://news.example/cafe",
            "selector": {"type": "TextQuoteSelector", "exact": "Kishida", "prefix": ":\n", "suffix": " 🙂"},
        },
    }


@pytest.mark.parametrize(
    "shape",
    [
        lambda a: a,
        lambda a: [a],
        lambda a: {"type": "AnnotationPage", "items": [a]},
        lambda a: {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection", "total": 1,
                   "first": {"type": "AnnotationPage", "items": [a]}},
    ],
    ids=["annotation", "list", "page", "collection"],
)  # fmt: skip
def test_an_annotation_a_list_a_page_or_a_collection_of_another_tools(annotator, shape):
    ArticleFactory(body=TEXT, url="https://news.example/cafe")
    import_file(annotator, "w3c-jsonld", json.dumps(shape(foreign_annotation()), ensure_ascii=False).encode())
    stored = Annotation.objects.get()
    assert (stored.quote, stored.start, stored.entity_type) == ("Kishida", STORED.index("Kishida"), "PERSON")
    assert (stored.origin, stored.model, stored.confidence) == ("machine", "ner 2.1", None)


def test_a_suggestion_the_export_called_an_unnamed_model_has_no_model(annotator):
    ArticleFactory(body=TEXT, url="https://news.example/cafe")
    annotation = foreign_annotation() | {"creator": {"type": "Software", "name": UNNAMED_MODEL, "nickname": "bot"}}
    import_file(annotator, "w3c-jsonld", json.dumps(annotation).encode())
    assert Annotation.objects.values_list("origin", "model").get() == ("machine", "")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"type": "AnnotationCollection", "first": "https://cd.example/page/1"}',
         "an AnnotationCollection without its annotations in the file (its first page is "
         "'https://cd.example/page/1': import the pages)"),
        (b'[{"type": "Annotation"}, {"type": "Annot', "after annotation 1: not JSON (parse error: premature EOF)"),
        (b'[{"type": "Annotation", "target": "https://news.example/cafe", "body": []}]',
         "annotation 1: the target is a whole resource, not a span of its text (no selector)"),
        (b'[{"type": "Highlight"}]', "annotation 1: not a W3C Annotation (its type is 'Highlight')"),
    ],
)  # fmt: skip
def test_what_is_no_annotations_is_refused_by_name(annotator, content, reason):
    with pytest.raises(ImportFailed) as failed:
        import_file(annotator, "w3c-jsonld", content)
    assert failed.value.errors == [reason]


def test_articles_and_revisions_are_fetched_once_not_per_annotation(annotator, django_assert_num_queries):
    """1,200 annotations (three chunks) on two articles, one of them on its earlier revision:
    one query for the articles, one for the revision."""
    current = ArticleFactory(body=STORED)
    revised = ArticleFactory(body="Kishida met Zelensky.")
    article_revise(actor=annotator, article_id=revised.pk, body="Yesterday, Kishida met Zelensky.")
    at = STORED.index("Kishida")
    items = [
        web_annotation(current.pk, at, at + 7, ["entity", "PERSON"], exact="Kishida")
        if n % 2
        else web_annotation(revised.pk, 0, 7, ["entity", "PERSON"], exact="Kishida")
        for n in range(1200)
    ]
    with django_assert_num_queries(2):
        spans = list(read("w3c-jsonld", io.BytesIO(collection(*items))))
    assert {(s.quote, s.start) for s in spans} == {("Kishida", at), ("Kishida", 11)}
    assert all(s.error is None for s in spans)


# --- Streamed ---------------------------------------------------------------------------------------


def test_label_studio_is_read_a_task_at_a_time(annotator):
    """The first task's spans come before the file's broken end is read (json.loads would have
    refused the whole file first)."""
    task = json.loads(label_studio_file())[0]
    content = b"[" + json.dumps(task).encode() + b"," + b" " * 300_000 + b'{"data": '
    spans = read("label-studio", io.BytesIO(content))
    assert next(spans).quote == "cafe\u0301"
    with pytest.raises(ImportFailed, match="after task 1: not JSON"):
        list(spans)


class Unseekable(io.RawIOBase):
    """A stream that can only be read forward (a pipe)."""

    def __init__(self, content: bytes):
        self.content = io.BytesIO(content)

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.content.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize("fmt", ["label-studio", "brat"])
def test_a_stream_that_cannot_seek_is_read_too(annotator, fmt):
    spans = list(read(fmt, Unseekable(FILES[fmt]())))
    assert {span.quote for span in spans} == set(WORDS)
