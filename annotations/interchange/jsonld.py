"""W3C Web Annotation JSON-LD: one AnnotationCollection whose first page holds every annotation."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from .records import records
from .stream import in_pieces

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


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


def web_annotation(record: dict, iris: Iris) -> dict:
    """An export record as a W3C Web Annotation: kind and type as tags, rating or severity and
    the MQM error type, note and correction as bodies of their own purpose, the span as quote
    and position."""
    bodies = [{"type": "TextualBody", "purpose": "tagging", "value": record["kind"]}]
    for type_field in ("entity_type", "artifact_type"):
        if record[type_field]:
            bodies.append({"type": "TextualBody", "purpose": "tagging", "value": record[type_field]})
    # A claim's rating and an artifact's severity assess the text; the MQM type classifies the error.
    for graded in ("rating", "severity"):
        if record[graded]:
            bodies.append({"type": "TextualBody", "purpose": "assessing", "value": record[graded]})
    if record["mqm_error_type"]:
        bodies.append({"type": "TextualBody", "purpose": "classifying", "value": record["mqm_error_type"]})
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"]})
    if record["suggested_correction"]:
        bodies.append({"type": "TextualBody", "purpose": "editing", "value": record["suggested_correction"]})
    quote = {"type": "TextQuoteSelector", "exact": record["quote"]}
    # prefix and suffix are left out, not empty, at the very start or end of the body.
    quote.update({key: record[key] for key in ("prefix", "suffix") if record[key]})
    return {
        "id": f"{iris.annotations}{record['id']}/",
        "type": "Annotation",
        "motivation": "tagging",
        "created": record["created_at"],
        "modified": record["updated_at"],
        "creator": _creator(record),
        "body": bodies,
        "target": {
            # The offsets point into one revision of the article: its IRI (which serves that
            # body) is the source; the article, whichever its current revision, the scope.
            "source": f"{iris.articles}{record['article']}/revisions/{record['revision']}/",
            "scope": f"{iris.articles}{record['article']}/",
            "selector": [quote, {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]}],
        },
    }


def _creator(record: dict) -> dict:
    """A person, or for a machine suggestion the software (its model) that the account ran."""
    if record["origin"] == "machine":
        return {"type": "Software", "name": record["model"] or "an unnamed model", "nickname": record["created_by"]}
    return {"type": "Person", "nickname": record["created_by"]}


def jsonld_texts(annotations: QuerySet, iris: Iris, total: int) -> Iterator[str]:
    """One AnnotationCollection with every annotation in its `first` (and only) page."""
    head = {
        "@context": ANNO_CONTEXT,
        "id": iris.collection,
        "type": "AnnotationCollection",
        "label": "Approved annotations",
        "total": total,
        "first": {"id": f"{iris.collection}#page-1", "type": "AnnotationPage", "startIndex": 0},
    }
    opening = json.dumps(head, ensure_ascii=False)
    yield opening[:-2] + ', "items": [\n'  # opens first.items: ...}} -> ..., "items": [
    separator = ""
    for record in records(annotations):
        yield separator + json.dumps(web_annotation(record, iris), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}}\n"


def write_jsonld(annotations: QuerySet, *, iris: Iris, total: int, **_context) -> Iterator[bytes]:
    # Complete only when parsed whole: its closing brackets are its end marker, and `total` its count.
    return in_pieces(jsonld_texts(annotations, iris, total))
