"""domain/spans.py: code point spans checked against the text, and the context kept beside them. No database."""

import pytest

from annotations.domain.errors import InvalidInput
from annotations.domain.spans import (
    CONTEXT_LENGTH,
    SENTENCE_LIMIT,
    occurrences,
    resolve_span,
    sentence_around,
    span_context,
    span_fields,
)
from tests.factories import MIXED_SCRIPTS_BODY, span_of

BODY = MIXED_SCRIPTS_BODY
KYIV_WAS_CALM = span_of(BODY, "Kyiv was calm")


def refusal(**span) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as excinfo:
        resolve_span(BODY, **{"start": None, "end": None, "quote": None, **span})
    return excinfo.value.errors


def test_offsets_are_code_points():
    """A flag (two code points), Cyrillic and an emoji before the span: Python's str indices, not UTF-16's."""
    start, end = KYIV_WAS_CALM["start"], KYIV_WAS_CALM["end"]
    assert resolve_span(BODY, start=start, end=end, quote=None) == (start, end, "Kyiv was calm")
    utf16_start = len(BODY[:start].encode("utf-16-le")) // 2
    astral = [ch for ch in BODY[:start] if ord(ch) > 0xFFFF]
    assert astral == ["🇯", "🇵", "🙂"]  # the flag's two regional indicators, and the emoji
    assert utf16_start == start + len(astral)  # each is one code point but two UTF-16 units
    utf16_end = utf16_start + len("Kyiv was calm")
    assert refusal(start=utf16_start, end=utf16_end, quote="Kyiv was calm") == {
        "quote": [
            f"The quote does not match the text at {utf16_start}-{utf16_end}, which is {BODY[utf16_start:utf16_end]!r}."
        ]
    }


@pytest.mark.parametrize(
    "given",
    [
        {"quote": "Kyiv was calm"},
        {"start": KYIV_WAS_CALM["start"], "quote": "Kyiv was calm"},
        {"end": KYIV_WAS_CALM["end"], "quote": "Kyiv was calm"},
        {**KYIV_WAS_CALM},
        {**KYIV_WAS_CALM, "quote": "Kyiv was calm"},
    ],
)
def test_any_two_of_offsets_and_quote_give_the_same_span(given):
    """Offsets, a quote found once, or a quote with one offset: the same checked span."""
    span = {"start": None, "end": None, "quote": None, **given}
    assert resolve_span(BODY, **span) == (KYIV_WAS_CALM["start"], KYIV_WAS_CALM["end"], "Kyiv was calm")


def test_a_quote_found_twice_takes_the_start_given():
    second = span_of(BODY, "Kyiv", nth=1)
    assert refusal(quote="Kyiv") == {
        "start": ["The quote occurs 2 times in the article body; give start to say which."]
    }
    assert resolve_span(BODY, start=second["start"], end=None, quote="Kyiv") == (second["start"], second["end"], "Kyiv")


def test_occurrences_overlap():
    """Every start of the quote, overlapping ones included."""
    assert occurrences("aaa", "aa") == [0, 1]
    assert occurrences(BODY, "Kyiv") == [BODY.index("Kyiv"), BODY.rindex("Kyiv")]
    assert occurrences(BODY, "Putin") == []


@pytest.mark.parametrize(
    ("span", "errors"),
    [
        ({"quote": ""}, {"quote": ["This field may not be blank."]}),
        ({}, {"non_field_errors": ["Give start and end, or the quote to find in the article body."]}),
        ({"quote": "Putin"}, {"quote": ["The quote is not in the article body."]}),
        ({"start": 3}, {"end": ["This field is required when start is given without a quote."]}),
        ({"end": 3}, {"start": ["This field is required when end is given."]}),
        ({"end": 3, "quote": "Prime"}, {"quote": ["The quote is longer than the text before end 3."]}),
        ({"start": -1, "end": 3}, {"start": ["Ensure this value is greater than or equal to 0."]}),
        ({"start": 3, "end": 3}, {"end": ["end (3) must be greater than start (3): the span is empty or reversed."]}),
        (
            {"start": 0, "end": len(BODY) + 1},
            {"end": [f"end ({len(BODY) + 1}) is beyond the article body, which has {len(BODY)} code points."]},
        ),
    ],
)
def test_bad_spans_are_refused_by_name(span, errors):
    """Each refusal names the field to fix and says why, in DRF's error shape."""
    assert refusal(**span) == errors


def test_context_is_up_to_32_code_points_either_side():
    """Cut at the body's ends, counted in code points (the flag is two, the emoji one)."""
    assert CONTEXT_LENGTH == 32
    start, end = KYIV_WAS_CALM["start"], KYIV_WAS_CALM["end"]
    assert span_context(BODY, start, end) == (BODY[start - 32 : start], BODY[end:])
    assert len(BODY[end:]) < 32
    prime = span_of(BODY, "Prime")
    assert span_context(BODY, prime["start"], prime["end"]) == ("", BODY[prime["end"] : prime["end"] + 32])


def test_span_fields_are_what_the_services_store():
    start, end = KYIV_WAS_CALM["start"], KYIV_WAS_CALM["end"]
    assert span_fields(BODY, start=None, end=None, quote="Kyiv was calm") == {
        "start": start,
        "end": end,
        "quote": "Kyiv was calm",
        "prefix": BODY[start - 32 : start],
        "suffix": BODY[end:],
    }


@pytest.mark.parametrize(
    ("body", "quote", "expected"),
    [
        (
            "Prime Minister Fumio Kishida met Zelensky in Kyiv. Kyiv was calm.\nThe end.",
            "Zelensky",
            ("Prime Minister Fumio Kishida met ", "Zelensky", " in Kyiv."),
        ),
        ("Kyiv was tense. Kyiv was calm.\nThe end.", "was calm", ("Kyiv ", "was calm", ".")),
        ("A headline\nThe body starts here.", "body", ("The ", "body", " starts here.")),
        ("東京都は発表した。市民は落ち着いている。次。", "市民", ("", "市民", "は落ち着いている。")),
        ("It was calm 🙂 today. Then left.", "calm", ("It was ", "calm", " 🙂 today.")),
    ],
)
def test_a_span_in_its_sentence(body, quote, expected):
    start = body.index(quote)
    assert sentence_around(body, start, start + len(quote)) == expected


def test_a_sentence_is_cut_at_its_limit_either_side():
    body = "x" * 1000 + "QUOTE" + "y" * 1000
    start = body.index("QUOTE")
    before, quote, after = sentence_around(body, start, start + 5)
    assert (len(before), quote, len(after)) == (SENTENCE_LIMIT, "QUOTE", SENTENCE_LIMIT)
