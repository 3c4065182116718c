"""Reading files of annotations made elsewhere, one reader per format, into ImportedSpans
(domain/imports.py) with offsets in code points of the stored body.

Each format's unit, as its own tool counts: Copydesk's JSONL export, code
points of the stored body; Label Studio, code points of `data.text` with
`\\r\\n` as two (its frontend stores code points, not JavaScript's UTF-16
length, since label-studio-frontend PR 308 / label-studio PR 1559, and keeps
the task's line endings; measured on 1.23.2, ../shared/PEERS.md); doccano 1.x,
UTF-16 code units of `text`, what its Vue editor's JavaScript selection gives
(0.x exported code points after doccano PR 108; the 1.x rewrite counts UTF-16
again unless a project turns on grapheme mode: doccano issues 1931 and 2290,
and measured on 1.8.4); W3C Web Annotation, code points (the Web Annotation
Data Model's TextPositionSelector counts "Unicode code points"), of the
revision its target names.
A reader refuses, naming the record, what it cannot read; the service checks
the rest (services/annotation_imports.py). Each reader takes the open binary
file and streams it: JSON documents through ijson's C parser, a record at a
time, so memory stays flat however large the file.
"""

import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice, pairwise
from pathlib import Path
from typing import BinaryIO, NamedTuple
from urllib.parse import urlsplit

import ijson
from django.db.models import Q
from django.urls import reverse

from annotations.domain.anchoring import Anchor, Outcome, reanchor
from annotations.domain.articles import normalize_body
from annotations.domain.imports import ImportedSpan, ImportFailed, SourceArticle
from annotations.domain.kinds import Kind
from annotations.domain.offsets import OffsetError, OffsetMap, Unit
from annotations.domain.origins import Origin
from annotations.domain.records import END_MARKER, WRITABLE_FIELDS
from annotations.domain.spans import occurrences, span_context
from annotations.models import Article, ArticleRevision

from .jsonld import ARTICLE_URL, EXTENSIONS, UNNAMED_MODEL

# What a Copydesk record carries besides the span: the annotation's own fields, as a client writes them.
_COPYDESK_FIELDS = tuple(field for field in WRITABLE_FIELDS if field not in {"article", "start", "end", "quote"})


def _json_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError:
            raise ImportFailed([f"line {number}: not UTF-8 text"]) from None
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFailed([f"line {number}: not JSON ({error.msg})"]) from None
        if not isinstance(record, dict):
            raise ImportFailed([f"line {number}: not a JSON object"])
        yield number, record


# --- JSON documents, streamed -----------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


def _seekable(file: BinaryIO) -> BinaryIO:
    """The file itself when it can seek (a file on disk, an upload), else a copy spooled to disk:
    the JSON readers look at a document's start before streaming it, and a zip's directory is
    at its end."""
    if getattr(file, "seekable", lambda: False)():
        return file
    copy = tempfile.SpooledTemporaryFile(max_size=1 << 24)  # noqa: SIM115 - the caller reads it
    shutil.copyfileobj(file, copy)
    copy.seek(0)
    return copy


def _json_file(file: BinaryIO) -> BinaryIO:
    """A seekable file positioned past a UTF-8 byte-order mark (which ijson's parser refuses)."""
    file = _seekable(file)
    at = file.tell()
    if file.read(len(_BOM)) != _BOM:
        file.seek(at)
    return file


def _first_byte(file: BinaryIO) -> bytes:
    """The document's first byte past white space (`[` for a list), the file left where it was."""
    at = file.tell()
    head = file.read(4096).lstrip()
    file.seek(at)
    return head[:1]


def _json_items(file: BinaryIO, prefix: str, name: str) -> Iterator[tuple[int, object]]:
    """The values at `prefix` (ijson's path: "item" for a list's), one at a time, numbered; JSON
    that breaks off or goes wrong is refused naming the last item read whole."""
    number = 0
    try:
        for number, item in enumerate(ijson.items(file, prefix, use_float=True), start=1):
            yield number, item
    except ijson.JSONError as error:
        where = f"after {name} {number}" if number else "at the start"
        raise ImportFailed([f"{where}: not JSON ({_parser_message(error)})"]) from None


def _parser_message(error: Exception) -> str:
    message = error.args[0] if error.args else ""
    if isinstance(message, bytes):  # yajl's message, where the text it quotes is not UTF-8
        message = message.decode("utf-8", "replace")
    first = str(message).strip().splitlines()[0] if str(message).strip() else "unreadable"
    return "not UTF-8 text" if "UTF8" in first else first.rstrip(".")


def read_copydesk_jsonl(lines: Iterable[bytes | str]) -> Iterator[ImportedSpan]:
    """Copydesk's own JSONL export: a record a line, its article found by url (else, with no
    url, by its id: the Copydesk it came from), as the JSON-LD reader finds one: the export
    carries no text, so the article must be stored, and the text at the record's offsets in
    the revision it names must be its quote with its prefix and suffix; a span on an earlier
    revision is carried to the current one, or refused by name. A machine suggestion stays
    one, with its model and confidence; the rest come in as `import`."""
    records = (_copydesk_record(number, record) for number, record in _json_lines(lines) if END_MARKER not in record)
    articles = _StoredArticles()
    while chunk := list(islice(records, _CHUNK)):
        yield from articles.spans(chunk)


def _copydesk_record(number: int, record: dict) -> "_WebAnnotation":
    where = f"line {number}"
    machine = record.get("origin") == Origin.MACHINE
    values = {name: record.get(name) for name in ("article", "revision", "start", "end")}
    wrong = [name for name, value in values.items() if value is not None and not _whole(value)]
    if wrong:
        return _WebAnnotation(record=where, error=f"{', '.join(wrong)} must be whole numbers from 0")
    quote, prefix, suffix = record.get("quote"), record.get("prefix") or "", record.get("suffix") or ""
    if not isinstance(quote, str) or not isinstance(prefix, str) or not isinstance(suffix, str):
        return _WebAnnotation(record=where, error="quote, prefix and suffix are text")
    if values["start"] is None or values["end"] is None:
        return _WebAnnotation(record=where, error="a record gives start and end")
    return _WebAnnotation(
        record=where,
        article_id=None if record.get("url") else values["article"],
        revision=values["revision"],
        url=str(record.get("url") or ""),
        start=values["start"],
        end=values["end"],
        exact=quote,
        prefix=prefix,
        suffix=suffix,
        fields={name: record[name] for name in _COPYDESK_FIELDS if record.get(name) is not None},
        origin=Origin.MACHINE if machine else Origin.IMPORT,
        model=(record.get("model") or "") if machine else "",
        confidence=record.get("confidence") if machine else None,
    )


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_doccano(lines: Iterable[bytes | str]) -> Iterator[ImportedSpan]:
    """doccano's JSONL: `text` and `label: [[start, end, "LABEL"], ...]` (or `entities` of
    `{start_offset, end_offset, label}`), offsets in UTF-16 code units."""
    for number, record in _json_lines(lines):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ImportFailed([f"line {number}: no text"])
        article = SourceArticle(url=str(record.get("url") or ""), text=text, title=str(record.get("title") or ""))
        offsets = OffsetMap(text, Unit.UTF16)
        labels = list(_doccano_labels(record, number))  # the whole line checked before its spans
        for index, (start, end, label) in enumerate(labels, start=1):
            yield _span(f"line {number}, label {index}", article, offsets, start, end, None, label)


def _doccano_labels(record: dict, number: int) -> Iterator[tuple]:
    for label in record.get("label") or record.get("labels") or []:
        if not (isinstance(label, list | tuple) and len(label) == 3):
            raise ImportFailed([f'line {number}: a label is [start, end, "LABEL"], not {label!r}'])
        yield tuple(label)
    for entity in record.get("entities") or []:
        try:
            yield entity["start_offset"], entity["end_offset"], entity["label"]
        except (KeyError, TypeError):
            raise ImportFailed([f"line {number}: an entity has start_offset, end_offset and label"]) from None


def read_label_studio(file: BinaryIO) -> Iterator[ImportedSpan]:
    """Label Studio's JSON export: a list of tasks, each with `data.text` and `annotations` (and
    `predictions`, which come in as machine suggestions with their `model_version` and
    `score`) of `labels` regions; other region types (relations, choices) are not spans and
    are passed over. Offsets in code points of `data.text`, `\\r\\n` as two. Read a task at a
    time (a single task, not in a list, is read too)."""
    file = _json_file(file)
    where = "item" if _first_byte(file) == b"[" else ""
    for number, task in _json_items(file, where, "task"):
        try:
            yield from _label_studio_task(number, task)
        except (AttributeError, TypeError) as error:
            raise ImportFailed([f"task {number}: not a Label Studio task ({error})"]) from None


def _label_studio_task(number: int, task) -> Iterator[ImportedSpan]:
    """One task's spans: its annotations' and its predictions' `labels` regions."""
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ImportFailed([f"task {number}: no data.text"])
    article = SourceArticle(url=str(data.get("url") or ""), text=text, title=str(data.get("title") or ""))
    offsets = OffsetMap(text, Unit.CODE_POINTS)
    made = [(a, Origin.IMPORT, "", None) for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    made += [
        (p, Origin.MACHINE, str(p.get("model_version") or ""), p.get("score")) for p in task.get("predictions") or []
    ]
    for source, origin, model, score in made:
        for index, region in enumerate(source.get("result") or [], start=1):
            if region.get("type") != "labels":
                continue
            value = region.get("value") or {}
            confidence = region.get("score", score) if origin == Origin.MACHINE else None
            for label in value.get("labels") or []:
                quote = value.get("text")
                yield _span(
                    f"task {number}, region {index}",
                    article,
                    offsets,
                    value.get("start"),
                    value.get("end"),
                    normalize_body(quote) if isinstance(quote, str) else None,
                    label,
                    origin=origin,
                    model=model,
                    confidence=confidence,
                )


def _span(where, article, offsets, start, end, quote, label, **provenance) -> ImportedSpan:
    try:
        begin, finish = offsets(start), offsets(end)
    except OffsetError as error:
        return ImportedSpan(record=where, article=article, start=0, end=0, error=str(error))
    if not isinstance(label, str) or not label:
        return ImportedSpan(record=where, article=article, start=0, end=0, error="no label")
    return ImportedSpan(record=where, article=article, start=begin, end=finish, quote=quote, label=label, **provenance)


# --- W3C Web Annotation: Copydesk's JSON-LD export -------------------------------------------------

_CHUNK = 500  # annotations read before their articles are fetched, in one query
_ARTICLES_KEPT = 2000  # articles kept between chunks (an export lists an article's spans together)
# A claim's fact-check verdict and an artifact's severity are both `assessing` bodies.
_ASSESSED = {Kind.CLAIM.value: "rating", Kind.TRANSLATION_ARTIFACT.value: "severity"}
_KINDS = [kind.value for kind in Kind]
_TYPED = {Kind.ENTITY.value: "entity_type", Kind.TRANSLATION_ARTIFACT.value: "artifact_type"}
_ONE_EACH = {"commenting": "note", "editing": "suggested_correction"}
_NOT_IT = "not the text the annotation was made on"


def read_w3c_jsonld(file: BinaryIO) -> Iterator[ImportedSpan]:
    """W3C Web Annotations: Copydesk's JSON-LD export (an AnnotationCollection with its
    annotations in `first.items`), an AnnotationPage, a list of Annotations, or one.

    The file carries no text, so each annotation's article must be stored already. Copydesk's
    export names it twice: by the url the target carries (`articleUrl`, Copydesk's term, when
    the article has one), and by the article IRI of the Copydesk it came from (`source`
    .../articles/{id}/revisions/{n}/, else `scope` .../articles/{id}/). The article with the
    url is tried first, as ids differ from one Copydesk to another; then the one with the id
    (the Copydesk it came from, or a copy of its database). Another tool's `source` that is no
    Copydesk IRI is an article's url. The TextPositionSelector's code points point into the
    revision named (else the current one), whose text there must be the TextQuoteSelector's
    quote with its prefix and suffix: an article that happens to have the id or the url but
    not that text is not annotated. Without a position, the quote with its context must
    occur once. A span on an earlier revision is carried to the current one as a revision
    carries its annotations (domain/anchoring.py): unchanged or moved it comes in there;
    anything less sure is refused by name.

    Bodies by purpose: tagging, the kind then its entity or artifact type (with no kind
    among the tags, a single tag is a label to map); assessing, a claim's rating or an
    artifact's severity; commenting, the note; editing, the suggested correction;
    classifying, the MQM type, which follows from the artifact type and is passed over.
    Copydesk's terms (jsonld.EXTENSIONS) give a claim's claimant, rating explanation and
    date, and a machine suggestion's confidence. A `Software` creator makes a machine
    suggestion of its model (the name)."""
    file = _json_file(file)
    prefix = _annotations_at(file)
    items = _json_items(file, prefix, "annotation")
    if not prefix:
        items = _one_annotation(items)
    articles = _StoredArticles()
    while chunk := [_web_annotation(number, item) for number, item in islice(items, _CHUNK)]:
        yield from articles.spans(chunk)


def _annotations_at(file: BinaryIO) -> str:
    """Where the document's annotations are, as ijson's path: "item" (a list), "items.item"
    (an AnnotationPage), "first.items.item" (a collection with its first page inline), or ""
    (the document is one annotation). Found by streaming up to the key; the file is left
    where it was."""
    at, found = file.tell(), ""
    try:
        for prefix, event, value in ijson.parse(file):
            if prefix == "" and event == "start_array":
                found = "item"
                break
            if event == "map_key" and value == "items" and prefix in ("", "first"):
                found = f"{prefix}.items.item".lstrip(".")
                break
    except ijson.JSONError:
        pass  # read again from the start, which names what is wrong
    file.seek(at)
    return found


def _one_annotation(items: Iterator[tuple[int, object]]) -> Iterator[tuple[int, object]]:
    for number, item in items:
        kinds = _types(item)
        if kinds & {"AnnotationCollection", "AnnotationPage"}:
            first = item.get("first")
            raise ImportFailed([
                f"an {' '.join(sorted(kinds))} without its annotations in the file"
                + (f" (its first page is {first!r}: import the pages)" if isinstance(first, str) else "")
            ])  # fmt: skip
        yield number, item


def _types(item: object) -> set[str]:
    """An object's `type`, one or several."""
    kind = item.get("type") if isinstance(item, dict) else None
    if isinstance(kind, str):
        return {kind}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


@dataclass
class _WebAnnotation:
    """One annotation as read, before its article is looked up."""

    record: str
    article_id: int | None = None  # a Copydesk IRI's
    revision: int | None = None
    url: str = ""  # the target's articleUrl, else (no Copydesk IRI) the source's
    start: int | None = None
    end: int | None = None
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    fields: dict | None = None
    label: str | None = None
    origin: str = Origin.IMPORT
    model: str = ""
    confidence: float | None = None  # a machine suggestion's (W3C has no term: Copydesk's own)
    error: str | None = None


def _web_annotation(number: int, item: object) -> _WebAnnotation:
    record = f"annotation {number}"
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        record += f" ({item['id']})"
    try:
        if "Annotation" not in _types(item):
            raise ValueError(
                f"not a W3C Annotation (its type is {item.get('type') if isinstance(item, dict) else item!r})"
            )
        annotation = _WebAnnotation(record, **_target(item.get("target")))
        annotation.fields, annotation.label = _bodies(item)
        if annotation.fields is not None:  # a label's fields come from the mapping
            # Checked, by name, as any annotation's fields are (services/annotation_imports.py).
            annotation.fields |= {
                field: item[term] for field, term in EXTENSIONS if field != "confidence" and item.get(term) is not None
            }
        creator = item.get("creator")
        creators = creator if isinstance(creator, list) else [creator]
        software = next((c for c in creators if "Software" in _types(c)), None)
        if software is not None:
            name = software.get("name")
            annotation.origin = Origin.MACHINE
            annotation.model = name if isinstance(name, str) and name != UNNAMED_MODEL else ""
            annotation.confidence = item.get("confidence")  # only a suggestion has one, as in the JSONL
        return annotation
    except ValueError as error:
        return _WebAnnotation(record, error=str(error))


def _target(target: object) -> dict:
    """The article (by IRI or url) and the span (position, quote and context) of a target."""
    if isinstance(target, list):
        if len(target) != 1:
            raise ValueError(f"{len(target)} targets: a Copydesk annotation has one span")
        target = target[0]
    if not isinstance(target, dict) or not target.get("selector"):
        raise ValueError("the target is a whole resource, not a span of its text (no selector)")
    selectors = target["selector"] if isinstance(target["selector"], list) else [target["selector"]]
    quote = next((s for s in selectors if "TextQuoteSelector" in _types(s)), None)
    position = next((s for s in selectors if "TextPositionSelector" in _types(s)), None)
    if quote is None and position is None:
        raise ValueError("no TextPositionSelector or TextQuoteSelector: Copydesk reads spans of text by these")
    found: dict = {}
    if position is not None:
        for name in ("start", "end"):
            value = position.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"the TextPositionSelector's {name} {value!r} is not an offset (a whole number from 0)"
                )
            found[name] = value
    if quote is not None:
        for name in ("exact", "prefix", "suffix"):
            value = quote.get(name)
            if not isinstance(value, str | None) or (name == "exact" and not value):
                raise ValueError(f"the TextQuoteSelector's {name} {value!r} is not text")
            found[name] = value if name == "exact" else value or ""
    return found | _article_named(target.get("source"), target.get("scope"), target.get(ARTICLE_URL))


@cache
def _article_iri() -> re.Pattern:
    # An article's IRI and its revisions', as interchange/jsonld.py writes them into a target.
    return re.compile(re.escape(reverse("article-list")) + r"(\d{1,18})/(?:revisions/(\d{1,9})/)?$")


def _article_named(source: object, scope: object, url: object) -> dict:
    """The article's url (Copydesk's articleUrl) and the id and revision of a Copydesk IRI;
    without either, the source is the url."""
    if url is not None and not isinstance(url, str):
        raise ValueError(f"the target's {ARTICLE_URL} {url!r} is not text")
    named = {"url": url} if url else {}
    for iri in (source, scope):
        if isinstance(iri, str) and (match := _article_iri().search(urlsplit(iri).path)):
            return named | {"article_id": int(match[1]), "revision": int(match[2]) if match[2] else None}
    if named:
        return named
    if not isinstance(source, str) or not source:
        raise ValueError("the target names no source (the article)")
    return {"url": source}


def _bodies(item: dict) -> tuple[dict | None, str | None]:
    """The annotation's fields from its bodies; or, when no tag is a Copydesk kind, its one tag
    as a label (mapped to fields by the import)."""
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    if isinstance(item.get("bodyValue"), str):  # the model's shorthand for a comment
        bodies = [*bodies, {"purpose": "commenting", "value": item["bodyValue"]}]
    tags, grades, fields = [], [], {}
    for body in bodies:
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, str):
            raise ValueError(f"a body is a TextualBody with a text value, not {body!r}")
        purpose = body.get("purpose") or item.get("motivation")
        if purpose == "tagging":
            tags.append(value)
        elif purpose == "assessing":
            grades.append(value)
        elif purpose in _ONE_EACH:
            if _ONE_EACH[purpose] in fields:
                raise ValueError(f"two {purpose} bodies: Copydesk keeps one {_ONE_EACH[purpose]}")
            fields[_ONE_EACH[purpose]] = value
        elif purpose != "classifying":
            raise ValueError(
                f"a body whose purpose is {purpose!r}: Copydesk reads tagging, assessing, classifying, "
                "commenting and editing bodies"
            )
    kinds = [tag for tag in tags if tag in _KINDS]
    if not kinds:
        if len(tags) == 1 and not grades and not fields:
            return None, tags[0]
        raise ValueError(f"no tagging body names a kind ({', '.join(_KINDS)})")
    types = [tag for tag in tags if tag != kinds[0]]
    kind = fields["kind"] = kinds[0]
    if len(kinds) > 1 or len(types) > (kind in _TYPED) or len(grades) > 1:
        raise ValueError(f"tags {tags!r} and assessments {grades!r}: a {kind} has one kind, its type and one grade")
    if types:
        fields[_TYPED[kind]] = types[0]
    if grades:
        # On an entity this is refused by name with the kind's other fields (services).
        fields[_ASSESSED.get(kind, "severity")] = grades[0]
    return fields, None


class _Placed(NamedTuple):
    annotation: _WebAnnotation
    article: Article
    start: int  # in the text of the revision the annotation names
    end: int


class _StoredArticles:
    """The annotations of a file that carries no text (Copydesk's JSONL and JSON-LD) placed on
    the stored articles. The articles a chunk of annotations names, and the earlier revisions
    it points into, fetched in a query each and kept for the chunks after (up to
    _ARTICLES_KEPT); each article's SourceArticle made once (its body, by which the import
    finds it: bodies are unique)."""

    def __init__(self):
        self.by_id: dict[int, Article | None] = {}
        self.by_url: dict[str, Article | None] = {}
        self.sources: dict[int, SourceArticle] = {}
        self.old_bodies: dict[tuple[int, int], str | None] = {}  # (article id, revision number)

    def spans(self, chunk: list[_WebAnnotation]) -> Iterator[ImportedSpan]:
        self._fetch(chunk)
        placed: dict[int, _Placed] = {}
        errors: dict[int, str] = {}
        for index, annotation in enumerate(chunk):
            try:
                placed[index] = self._locate(annotation)
            except ValueError as error:
                errors[index] = str(error)
        for index, outcome in self._reanchored(placed).items():
            if isinstance(outcome, str):
                errors[index] = outcome
            else:
                placed[index] = placed[index]._replace(start=outcome[0], end=outcome[1])
        for index, annotation in enumerate(chunk):
            if index in errors:
                yield ImportedSpan(
                    record=annotation.record, article=SourceArticle(), start=0, end=0, error=errors[index]
                )
                continue
            _, article, start, end = placed[index]
            if article.pk not in self.sources:
                self.sources[article.pk] = SourceArticle(text=article.body, title=article.title)
            yield ImportedSpan(
                record=annotation.record,
                article=self.sources[article.pk],
                start=start,
                end=end,
                quote=article.body[start:end],
                fields=annotation.fields or {},
                label=annotation.label,
                origin=annotation.origin,
                model=annotation.model,
                confidence=annotation.confidence,
            )

    def _fetch(self, chunk: list[_WebAnnotation]) -> None:
        if len(self.by_id) + len(self.by_url) > _ARTICLES_KEPT:
            self.by_id, self.by_url, self.sources, self.old_bodies = {}, {}, {}, {}
        ids = {a.article_id for a in chunk if a.article_id is not None and a.article_id not in self.by_id}
        urls = {a.url for a in chunk if a.url and a.url not in self.by_url}
        columns = ("id", "title", "body", "url", "revision")
        if ids:
            self.by_id.update(dict.fromkeys(ids))  # an id not stored is looked for once
            self.by_id.update(Article.objects.only(*columns).in_bulk(ids))
        if urls:
            self.by_url.update(dict.fromkeys(urls))
            # The newest article with the url (the last in id order), as the import finds one by url.
            for article in Article.objects.only(*columns).filter(url__in=urls).order_by("id"):
                self.by_url[article.url] = article
        # The earlier revisions the chunk points into.
        wanted = {
            (article.pk, a.revision)
            for a in chunk
            if a.revision is not None
            for article, _ in self._articles(a)
            if a.revision != article.revision
        } - set(self.old_bodies)
        if wanted:
            which = Q()
            for article_id, number in wanted:
                which |= Q(article_id=article_id, number=number)
            self.old_bodies.update(dict.fromkeys(wanted))
            rows = ArticleRevision.objects.filter(which).values_list("article_id", "number", "body")
            self.old_bodies.update({(article_id, number): body for article_id, number, body in rows})

    def _articles(self, annotation: _WebAnnotation) -> list[tuple[Article, str]]:
        """The stored articles the annotation may be on, each with how it is named: the one with
        its url first (ids are another Copydesk's when the file is), then the one with its id."""
        found = []
        if annotation.url and (article := self.by_url.get(annotation.url)) is not None:
            found.append((article, f"the article at {annotation.url}"))
        by_id = self.by_id.get(annotation.article_id) if annotation.article_id is not None else None
        if by_id is not None and all(by_id.pk != other.pk for other, _ in found):
            found.append((by_id, f"article {annotation.article_id}"))
        return found

    def _locate(self, annotation: _WebAnnotation) -> _Placed:
        """The span in the text of the revision the annotation names, on the first of its
        articles whose text is the annotation's; ValueError says why not (on the first)."""
        if annotation.error:
            raise ValueError(annotation.error)
        articles = self._articles(annotation)
        if not articles:
            raise ValueError(self._not_stored(annotation))
        errors = []
        for article, name in articles:
            try:
                return self._place(annotation, article, name)
            except ValueError as error:
                errors.append(error)
        raise errors[0]

    @staticmethod
    def _not_stored(annotation: _WebAnnotation) -> str:
        if annotation.url and annotation.article_id is not None:
            return (
                f"no article has the url {annotation.url!r}, and article {annotation.article_id} is not stored "
                "here (the file has no text)"
            )
        if annotation.url:
            return f"no article has the url {annotation.url!r} (the file has no text)"
        return (
            f"article {annotation.article_id} is not stored here: a JSON-LD file carries no text, so it is read "
            "into the Copydesk it came from (or a copy of its database), its articles found by id"
        )

    def _place(self, annotation: _WebAnnotation, article: Article, name: str) -> _Placed:
        number = annotation.revision or article.revision
        body = article.body if number == article.revision else self.old_bodies.get((article.pk, number))
        if body is None:
            raise ValueError(f"{name} has no revision {number}")
        where = f"{name} (revision {number})"
        start, end, exact = annotation.start, annotation.end, annotation.exact
        before, after = annotation.prefix, annotation.suffix
        if start is None:
            hits = occurrences(body, before + exact + after)
            if len(hits) != 1:
                raise ValueError(
                    f"the quote {exact!r} with its prefix and suffix occurs {len(hits)} times in {where}: "
                    "a TextPositionSelector would say where"
                )
            start = hits[0] + len(before)
            end = start + len(exact)
        if not start < end <= len(body):
            raise ValueError(f"the span {start}-{end} is not inside {where} ({len(body)} code points)")
        if exact is not None and body[start:end] != exact:
            raise ValueError(f"{where} has {body[start:end]!r} at {start}-{end}, not the quote {exact!r}: {_NOT_IT}")
        if body[max(0, start - len(before)) : start] != before or body[end : end + len(after)] != after:
            raise ValueError(
                f"the text around {start}-{end} in {where} is not the quote's prefix and suffix: {_NOT_IT}"
            )
        return _Placed(annotation, article, start, end)

    def _reanchored(self, placed: dict[int, _Placed]) -> dict[int, tuple[int, int] | str]:
        """Spans on an earlier revision carried to the current one: by index, the new (start,
        end), or why not."""
        groups: dict[tuple[int, int], list[int]] = {}
        for index, (annotation, article, _, _) in placed.items():
            if annotation.revision not in (None, article.revision):
                groups.setdefault((article.pk, annotation.revision), []).append(index)
        outcomes = {}
        for (article_id, number), indexes in groups.items():
            old, article = self.old_bodies[article_id, number], placed[indexes[0]].article
            anchors = []
            for index in indexes:
                annotation, _, start, end = placed[index]
                prefix, suffix = span_context(old, start, end)
                correction = (annotation.fields or {}).get("suggested_correction", "")
                anchors.append(Anchor(index, start, end, old[start:end], prefix, suffix, correction))
            for placement in reanchor(old, article.body, anchors):
                if placement.outcome in (Outcome.UNCHANGED, Outcome.MOVED):
                    outcomes[placement.key] = (placement.start, placement.end)
                    continue
                outcomes[placement.key] = (
                    f"made on revision {number} of article {article_id}, which is now at revision "
                    f"{article.revision}: there the span is {placement.outcome.label.lower()}, not surely the same "
                    "text (place it again on the desk)"
                )
        return outcomes


# --- brat ------------------------------------------------------------------------------------------


def read_brat(file: BinaryIO) -> Iterator[ImportedSpan]:
    """A zip of brat standoff files: each `NAME.txt` with its `NAME.ann`, read a document at a
    time from the file (a zip's directory is at its end: the file must seek)."""
    try:
        archive = zipfile.ZipFile(_seekable(file))
    except zipfile.BadZipFile:
        raise ImportFailed(["not a zip of .txt and .ann files"]) from None
    names = {info.filename for info in archive.infolist() if not info.is_dir()}
    for ann in sorted(name for name in names if name.endswith(".ann")):
        txt = ann[: -len(".ann")] + ".txt"
        if txt not in names:
            raise ImportFailed([f"{ann}: no {txt} beside it"])
        yield from _brat_document(ann, archive.read(txt), archive.read(ann).decode("utf-8", "replace"))


def read_brat_folder(folder: Path) -> Iterator[ImportedSpan]:
    """A folder of brat standoff files (searched recursively)."""
    for ann in sorted(folder.rglob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise ImportFailed([f"{ann.relative_to(folder)}: no {txt.name} beside it"])
        yield from _brat_document(str(ann.relative_to(folder)), txt.read_bytes(), ann.read_text("utf-8", "replace"))


def _brat_document(name: str, txt: bytes, ann: str) -> Iterator[ImportedSpan]:
    """Text-bound annotations (`T1<TAB>LABEL START END<TAB>TEXT`) of one document; offsets count
    code points of the .txt as brat reads it (UTF-8, line endings untranslated: its
    annotation.open_textfile is codecs.open, which reads in binary mode). Relations, events,
    attributes and notes are not spans and are passed over; a discontinuous span (`0 5;9 12`)
    is refused by name, unless its pieces are one span cut at line breaks (as brat stores a
    selection over several lines)."""
    try:
        text = txt.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed([f"{name}: the .txt is not UTF-8 text"]) from None
    article = SourceArticle(text=text, title=Path(name).stem)
    offsets = OffsetMap(text, Unit.CODE_POINTS)
    for number, line in enumerate(ann.splitlines(), start=1):
        if not line.startswith("T"):
            continue
        where = f"{name}, line {number}"
        parts = line.split("\t")
        if len(parts) < 2 or len(parts[1].split(" ", 1)) < 2:
            yield ImportedSpan(record=where, article=article, start=0, end=0, error="not a text-bound annotation")
            continue
        label, places = parts[1].split(" ", 1)
        quote = parts[2] if len(parts) > 2 else None
        try:
            start, end = _brat_extent(text, places)
        except ValueError as error:
            yield ImportedSpan(record=f"{where} ({parts[0]})", article=article, start=0, end=0, error=str(error))
            continue
        joined = None if quote is None or ";" in places else normalize_body(quote)
        yield _span(f"{where} ({parts[0]})", article, offsets, start, end, joined, label)


def _brat_extent(text: str, places: str) -> tuple[int, int]:
    pieces = []
    for piece in places.split(";"):
        bounds = piece.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise ValueError(f"{places!r} is not START END")
        pieces.append((int(bounds[0]), int(bounds[1])))
    for (_, end), (start, _) in pairwise(pieces):
        if start < end or text[end:start].strip():
            raise ValueError(f"a discontinuous span ({places}) is not one Copydesk can hold")
    return pieces[0][0], pieces[-1][1]


# Each format's reader, from the open binary file.
READERS: dict[str, Callable[[BinaryIO], Iterator[ImportedSpan]]] = {
    "copydesk-jsonl": read_copydesk_jsonl,
    "w3c-jsonld": read_w3c_jsonld,
    "doccano": read_doccano,
    "label-studio": read_label_studio,
    "brat": read_brat,
}


def read(format_name: str, file: BinaryIO) -> Iterator[ImportedSpan]:
    """The spans of an open binary file in the named format."""
    return READERS[format_name](file)
