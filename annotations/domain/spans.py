"""Spans of an article body: code point offsets, half-open, checked against the text.

Offsets are Python `str` indices (Unicode code points) everywhere inside
Copydesk; formats that count otherwise convert at the edge.
"""

import re

from .errors import InvalidInput, invalid

CONTEXT_LENGTH = 32  # code points of body text kept either side of a span (API.md: exports)


def occurrences(body: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `body`, overlapping ones included."""
    found, at = [], body.find(quote)
    while at != -1:
        found.append(at)
        at = body.find(quote, at + 1)
    return found


def resolve_span(body: str, *, start: int | None, end: int | None, quote: str | None) -> tuple[int, int, str]:
    """Turn what the client gave (offsets, a quote, or both) into a checked (start, end, quote)."""
    if quote == "":
        raise invalid("quote", "This field may not be blank.")
    if start is None and end is None:
        if quote is None:
            raise InvalidInput("Give start and end, or the quote to find in the article body.")
        hits = occurrences(body, quote)
        if not hits:
            raise invalid("quote", "The quote is not in the article body.")
        if len(hits) > 1:
            raise invalid("start", f"The quote occurs {len(hits)} times in the article body; give start to say which.")
        start = hits[0]
    if start is None:
        if quote is None:
            raise invalid("start", "This field is required when end is given.")
        start = end - len(quote)
        if start < 0:
            raise invalid("quote", f"The quote is longer than the text before end {end}.")
    if end is None:
        if quote is None:
            raise invalid("end", "This field is required when start is given without a quote.")
        end = start + len(quote)
    if start < 0:
        raise invalid("start", "Ensure this value is greater than or equal to 0.")
    if end <= start:
        raise invalid("end", f"end ({end}) must be greater than start ({start}): the span is empty or reversed.")
    if end > len(body):
        raise invalid("end", f"end ({end}) is beyond the article body, which has {len(body)} code points.")
    actual = body[start:end]
    if quote is not None and quote != actual:
        raise invalid("quote", f"The quote does not match the text at {start}-{end}, which is {actual!r}.")
    return start, end, actual


def span_context(body: str, start: int, end: int) -> tuple[str, str]:
    """The span's prefix and suffix: up to CONTEXT_LENGTH code points of the body before and after it."""
    return body[max(0, start - CONTEXT_LENGTH) : start], body[end : end + CONTEXT_LENGTH]


def span_fields(body: str, *, start: int | None, end: int | None, quote: str | None) -> dict:
    """The stored span of what the client gave: checked offsets and quote, and the context exports show."""
    start, end, quote = resolve_span(body, start=start, end=end, quote=quote)
    prefix, suffix = span_context(body, start, end)
    return {"start": start, "end": end, "quote": quote, "prefix": prefix, "suffix": suffix}


SENTENCE_LIMIT = 300  # code points of a sentence shown either side of a span, at most
# Latin marks end a sentence before white space; the CJK full stop and marks wherever they stand.
_SENTENCE_END = re.compile(r"[.!?\u2026](?=\s)|[\u3002\uff01\uff1f]|\n")


def sentence_around(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The span in its sentence: (text before it, the span, text after it), from the end of the
    sentence before to the end of the sentence it ends in (a line break ends one too), at most
    SENTENCE_LIMIT code points either side."""
    lower = max(0, start - SENTENCE_LIMIT)
    sentence_start = lower
    for match in _SENTENCE_END.finditer(body, lower, start):
        sentence_start = match.end()
    upper = min(len(body), end + SENTENCE_LIMIT)
    after = _SENTENCE_END.search(body, end, upper)
    sentence_end = after.end() if after and after.group() != "\n" else (after.start() if after else upper)
    return body[sentence_start:start].lstrip(), body[start:end], body[end:sentence_end]
