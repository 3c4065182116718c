"""W3C Web Annotation JSON-LD: one AnnotationCollection whose first page holds every annotation.

What the Web Annotation vocabulary has no term for (the article's own url, a claim's claimant,
rating explanation and date, a machine suggestion's confidence) is written with Copydesk's own
terms, defined by a second context after anno.jsonld's (the model's "Extensions"), so that an
export read into another Copydesk with the same articles gives the same annotations.

On PostgreSQL each annotation's JSON is built by the database (web_annotation_sql(), the twin of
web_annotation()) and streamed by one COPY, a line per annotation, as JSONL is; the collection's
head and closing brackets are written here. Elsewhere each record is formatted in Python. Tests
hold the two to the same bytes.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from annotations.domain.origins import Origin
from annotations.query.records import export_select, text_columns

from .records import records
from .stream import copy_lines, gathered, in_pieces, json_items, on_postgres

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Copydesk's terms' namespace: one IRI for every instance (not the instance's own address), so that a
# term means the same in every Copydesk's export and a consumer merging exports sees one property;
# under w3id.org, the permanent-identifier service that vocabularies without a domain of their own
# use, so that it can be made to resolve to these terms' documentation without changing.
COPYDESK_NS = "https://w3id.org/copydesk/ns#"
# Inline, so that a consumer needs nothing from the network to read the terms. The article's url is
# a literal typed anyURI, exactly as stored, rather than the model's `via` (an IRI reference): the
# W3C suite checks a `via` as an RFC 3986 URI, which a url that the API took need not be (Django's
# URLField lets non-ASCII and backslashes through), and percent-encoding it would lose the exact
# string by which another Copydesk finds the article.
COPYDESK_CONTEXT = {
    "copydesk": COPYDESK_NS,
    "articleUrl": {"@id": "copydesk:articleUrl", "@type": "xsd:anyURI"},
    "claimant": "copydesk:claimant",
    "ratingExplanation": "copydesk:ratingExplanation",
    "claimDate": {"@id": "copydesk:claimDate", "@type": "xsd:date"},
    "confidence": {"@id": "copydesk:confidence", "@type": "xsd:double"},
}

# A Web Annotation's bodies, in order: the record field each holds and its purpose. Kind and type
# are tags; a claim's rating and an artifact's severity assess the text; the MQM type classifies
# the error; the note comments and the correction edits. A body whose field is empty is left out.
BODIES = (
    ("kind", "tagging"),
    ("entity_type", "tagging"),
    ("artifact_type", "tagging"),
    ("rating", "assessing"),
    ("severity", "assessing"),
    ("mqm_error_type", "classifying"),
    ("note", "commenting"),
    ("suggested_correction", "editing"),
)
# The quote's context: left out, not empty, at the very start or end of the body.
CONTEXT = ("prefix", "suffix")
# The record fields written with Copydesk's terms, after the target: each left out when empty.
EXTENSIONS = (
    ("claimant", "claimant"),
    ("rating_explanation", "ratingExplanation"),
    ("claim_date", "claimDate"),
    ("confidence", "confidence"),  # a number (0 is a confidence, not empty)
)
ARTICLE_URL = "articleUrl"  # the target's: the article's own url, when it has one
UNNAMED_MODEL = "an unnamed model"


@dataclass(frozen=True)
class Iris:
    """Absolute IRIs for the collection, annotations and articles of one export."""

    collection: str
    annotations: str  # the annotation list's IRI; an annotation's is this + "{id}/"
    articles: str

    @classmethod
    def of(cls, *, collection: str, absolute: Callable[[str], str]) -> "Iris":
        """The IRIs of an export whose own IRI is `collection`, the others made absolute
        from the API's paths by `absolute` (the request's, or a base URL's)."""
        return cls(
            collection=collection,
            annotations=absolute(reverse("annotation-list")),
            articles=absolute(reverse("article-list")),
        )


def _body(purpose: str, value) -> dict:
    return {"type": "TextualBody", "purpose": purpose, "value": value}


def _filled(value) -> bool:
    return value is not None and value != ""


def web_annotation(record: dict, iris: Iris) -> dict:
    """An export record as a W3C Web Annotation: BODIES, the creator, the span as quote and
    position, the article's url; then EXTENSIONS."""
    quote = {"type": "TextQuoteSelector", "exact": record["quote"]}
    quote.update({key: record[key] for key in CONTEXT if record[key]})
    target = {
        # The offsets point into one revision of the article: its IRI (which serves that
        # body) is the source; the article, whichever its current revision, the scope.
        "source": f"{iris.articles}{record['article']}/revisions/{record['revision']}/",
        "scope": f"{iris.articles}{record['article']}/",
        "selector": [quote, {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]}],
    }
    if record["url"]:
        target[ARTICLE_URL] = record["url"]  # how another Copydesk finds the article (its ids are not ours)
    return {
        "id": f"{iris.annotations}{record['id']}/",
        "type": "Annotation",
        "motivation": "tagging",
        "created": record["created_at"],
        "modified": record["updated_at"],
        "creator": _creator(record),
        "body": [_body(purpose, record[field]) for field, purpose in BODIES if record[field]],
        "target": target,
        **{term: record[field] for field, term in EXTENSIONS if _filled(record[field])},
    }


def _creator(record: dict) -> dict:
    """A person, or for a machine suggestion the software (its model) that the account ran."""
    if record["origin"] == Origin.MACHINE:
        return {"type": "Software", "name": record["model"] or UNNAMED_MODEL, "nickname": record["created_by"]}
    return {"type": "Person", "nickname": record["created_by"]}


# --- the same in SQL ------------------------------------------------------------------------
# JSON text concatenated by PostgreSQL and spelled as json.dumps(ensure_ascii=False) spells it
# (", " and ": ", TO_JSON escaping what Python escapes): about half the time JSON_BUILD_OBJECT
# takes for the same items (BENCHMARKS.md). Constants are json.dumps'd here and passed as parameters.


@dataclass(frozen=True)
class _Sql:
    """An SQL expression of JSON text over the row `record`, with its parameters in order."""

    sql: str
    params: tuple = ()


@dataclass(frozen=True)
class _Optional:
    """A member or item left out where its SQL is NULL (it must not be the first)."""

    value: object


@dataclass(frozen=True)
class _Raw:
    """JSON text pieces taken as they are."""

    pieces: tuple


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pieces(value) -> list:
    """`value` as JSON text pieces: strings (constant JSON text) and _Sql."""
    if isinstance(value, _Sql):
        return [value]
    if isinstance(value, _Raw):
        return list(value.pieces)
    if isinstance(value, dict):
        return _joined("{", [(_dumps(key) + ": ", member) for key, member in value.items()], "}")
    if isinstance(value, list):
        return _joined("[", [("", item) for item in value], "]")
    return [_dumps(value)]


def _joined(opening: str, members: list[tuple[str, object]], closing: str) -> list:
    pieces, separator = [opening], ""
    for key, member in members:
        if isinstance(member, _Optional):
            # Separator, key and value in one `||` chain: NULL, and so left out by CONCAT, as a whole.
            pieces.append(_chain([separator + key, *_pieces(member.value)]))
        else:
            pieces += [separator + key, *_pieces(member)]
        separator = ", "
    return [*pieces, closing]


def _folded(pieces: list) -> list[_Sql]:
    """Adjacent constants as one parameter each."""
    folded = []
    for piece in pieces:
        if isinstance(piece, str) and folded and isinstance(folded[-1], str):
            folded[-1] += piece
        else:
            folded.append(piece)
    return [_Sql("%s", (piece,)) if isinstance(piece, str) else piece for piece in folded if piece != ""]


def _joined_sql(pieces: list, function: str, separator: str) -> _Sql:
    parts = _folded(pieces)
    params = tuple(param for part in parts for param in part.params)
    return _Sql(f"{function}({separator.join(part.sql for part in parts)})", params)


def _concat(pieces: list) -> _Sql:
    """The pieces as one text: CONCAT leaves out a NULL piece (an _Optional's)."""
    return _joined_sql(pieces, "CONCAT", ", ")


def _chain(pieces: list) -> _Sql:
    """The pieces as one text, NULL if any is."""
    return _joined_sql(pieces, "", " || ")


def _column(name: str) -> str:
    return f'record."{name}"'  # PostgreSQL's quoting ("end" is a keyword)


def _string(name: str, default: str | None = None) -> _Sql:
    """A text column as a JSON string; NULL for NULL or '' unless there is a `default`."""
    if default is None:
        return _Sql(f"TO_JSON(NULLIF({_column(name)}, ''))::text")
    return _Sql(f"TO_JSON(COALESCE(NULLIF({_column(name)}, ''), %s))::text", (default,))


def _number(name: str) -> _Sql:
    return _Sql(f"{_column(name)}::text")


def _float(name: str) -> _Sql:
    """A float column spelled as Python's repr spells it (text_columns()), which is its JSON."""
    return _Sql(_column(name))


def _iri(base: str, *path: str | _Sql) -> _Raw:
    """A JSON string: an IRI followed by numbers and constant path pieces."""
    escaped = [piece if isinstance(piece, _Sql) else _dumps(piece)[1:-1] for piece in path]
    return _Raw((_dumps(base)[:-1], *escaped, '"'))


def _creator_sql() -> _Sql:
    software = {"type": "Software", "name": _string("model", UNNAMED_MODEL), "nickname": _string("created_by")}
    person = {"type": "Person", "nickname": _string("created_by")}
    machine, other = _concat(_pieces(software)), _concat(_pieces(person))
    sql = f"CASE WHEN {_column('origin')} = %s THEN {machine.sql} ELSE {other.sql} END"
    return _Sql(sql, (Origin.MACHINE.value, *machine.params, *other.params))


def web_annotation_sql(iris: Iris) -> _Sql:
    """web_annotation() as an SQL expression of its JSON text over the row `record`, which
    holds JSONLD_FIELDS (times already as text)."""
    bodies = [_body(purpose, _string(field)) for field, purpose in BODIES]
    quote = {"type": "TextQuoteSelector", "exact": _string("quote")}
    quote.update({key: _Optional(_string(key)) for key in CONTEXT})
    article = _number("article")
    # claim_date is ISO text and confidence Python's spelling of the float (text_columns()).
    extensions = {
        term: _Optional(_float(field) if field == "confidence" else _string(field)) for field, term in EXTENSIONS
    }
    annotation = {
        "id": _iri(iris.annotations, _number("id"), "/"),
        "type": "Annotation",
        "motivation": "tagging",
        "created": _string("created_at"),
        "modified": _string("updated_at"),
        "creator": _creator_sql(),
        "body": [bodies[0], *(_Optional(body) for body in bodies[1:])],  # the kind is never empty
        "target": {
            "source": _iri(iris.articles, article, "/revisions/", _number("revision"), "/"),
            "scope": _iri(iris.articles, article, "/"),
            "selector": [quote, {"type": "TextPositionSelector", "start": _number("start"), "end": _number("end")}],
            ARTICLE_URL: _Optional(_string("url")),
        },
        **extensions,
    }
    return _concat(_pieces(annotation))


JSONLD_FIELDS = (
    *("id", "article", "revision", "created_at", "updated_at", "origin", "model", "created_by"),
    *("quote", "start", "end", *CONTEXT, *(field for field, _ in BODIES)),
    *("url", *(field for field, _ in EXTENSIONS)),
)


def web_annotation_lines_postgres(annotations: QuerySet, iris: Iris) -> Iterator[bytes]:
    """Each annotation's JSON, built by PostgreSQL, a line each, streamed by one COPY."""
    columns = text_columns(annotations, text=lambda column: column)  # times, dates and floats as Python spells them
    sql, params = export_select(annotations, {field: columns[field] for field in JSONLD_FIELDS})
    item = web_annotation_sql(iris)
    select = f"SELECT {item.sql} FROM ({sql}) AS record"  # noqa: S608 - the ORM's SQL and ours
    return copy_lines(annotations.db, select, (*item.params, *params))


def _opening(iris: Iris, total: int) -> str:
    head = {
        "@context": [ANNO_CONTEXT, COPYDESK_CONTEXT],
        "id": iris.collection,
        "type": "AnnotationCollection",
        "label": "Approved annotations",
        "total": total,
        "first": {"id": f"{iris.collection}#page-1", "type": "AnnotationPage", "startIndex": 0},
    }
    return _dumps(head)[:-2] + ', "items": [\n'  # opens first.items: ...}} -> ..., "items": [


_CLOSING = "\n]}}\n"


def jsonld_texts(annotations: QuerySet, iris: Iris, total: int) -> Iterator[str]:
    """One AnnotationCollection with every annotation in its `first` (and only) page."""
    yield _opening(iris, total)
    separator = ""
    for record in records(annotations):
        yield separator + _dumps(web_annotation(record, iris))
        separator = ",\n"
    yield _CLOSING


def jsonld_blocks_postgres(annotations: QuerySet, iris: Iris, total: int) -> Iterator[bytes]:
    """The same collection, its items built by PostgreSQL: each line's end turned into the separator."""
    yield _opening(iris, total).encode()
    yield from json_items(web_annotation_lines_postgres(annotations, iris))
    yield _CLOSING.encode()


def write_jsonld(annotations: QuerySet, *, iris: Iris, total: int, **_context) -> Iterator[bytes]:
    # Complete only when parsed whole: its closing brackets are its end marker, and `total` its count.
    if on_postgres(annotations):
        return gathered(jsonld_blocks_postgres(annotations, iris, total))
    return in_pieces(jsonld_texts(annotations, iris, total))
