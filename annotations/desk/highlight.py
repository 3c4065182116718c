"""The article body as HTML with every annotation highlighted, for the reviewers' desk.

The body is split at every annotation boundary; each piece is HTML-escaped
and wrapped in one `<mark>` per annotation covering it, outer (earlier,
longer) annotations outside inner ones. Marks stay open across boundaries
while they can, so an annotation is split into several marks only where it
overlaps another one without nesting in it. The text nodes of the result,
read in order, are exactly the body: the page computes code-point offsets
from them. A machine suggestion's or an import's marks say their origin
(`data-origin`), which the desk draws with an underline of its own.
"""

from collections.abc import Iterable
from itertools import pairwise
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotations.domain.origins import Origin


class Span(Protocol):
    pk: int
    start: int
    end: int
    kind: str
    status: str


def _nesting_key(span: Span) -> tuple[int, int, int]:
    # Earlier first; of two starting together the longer one outside.
    return (span.start, -span.end, span.pk)


def _open_tag(span: Span, *, first_piece: bool) -> str:
    attrs = {
        "class": f"desk-mark desk-{span.kind}",
        "data-annotation-id": span.pk,
        "data-kind": span.kind,
        "data-status": span.status,
    }
    origin = getattr(span, "origin", Origin.HUMAN)  # a span without one is a person's
    if origin != Origin.HUMAN:
        attrs["data-origin"] = origin
    if first_piece:
        # One tab stop per annotation: focusing it shows the details, like hovering.
        attrs["tabindex"] = "0"
        attrs["id"] = f"mark-{span.pk}"
    return "<mark " + " ".join(f'{name}="{escape(value)}"' for name, value in attrs.items()) + ">"


def highlight_body(body: str, annotations: Iterable[Span]) -> SafeString:
    """The escaped body with `<mark>` elements over every annotation's span."""
    spans = sorted((a for a in annotations if 0 <= a.start < a.end <= len(body)), key=_nesting_key)
    boundaries = sorted({0, len(body), *(a.start for a in spans), *(a.end for a in spans)})
    html: list[str] = []
    open_stack: list[Span] = []
    opened: set[int] = set()
    for left, right in pairwise(boundaries):
        covering = [a for a in spans if a.start <= left and right <= a.end]
        keep = 0
        while keep < min(len(open_stack), len(covering)) and open_stack[keep] is covering[keep]:
            keep += 1
        html.extend("</mark>" for _ in open_stack[keep:])
        for span in covering[keep:]:
            html.append(_open_tag(span, first_piece=span.pk not in opened))
            opened.add(span.pk)
        open_stack = covering
        html.append(escape(body[left:right]))
    html.extend("</mark>" for _ in open_stack)
    return mark_safe("".join(html))  # noqa: S308 - every piece of text and attribute above is escaped
