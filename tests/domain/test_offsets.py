"""Other tools' offsets to Copydesk's (domain/offsets.py), on emoji, combining marks and CRLF."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.domain.articles import normalize_body
from annotations.domain.offsets import OffsetError, OffsetMap, Unit, unit_offsets

TEXT = "\ufeffKishida 🇯🇵 said:\r\nKyiv 😀 e\u0301te\u0301\r\nend"


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def utf8(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@pytest.mark.parametrize("unit", list(Unit))
@pytest.mark.parametrize("word", ["Kishida", "🇯🇵", "Kyiv", "😀", "e\u0301te\u0301", "end"])
def test_every_unit_lands_on_the_same_stored_span(unit, word):
    stored = normalize_body(TEXT)
    start = TEXT.index(word)
    measure = {Unit.CODE_POINTS: lambda t, i: i, Unit.UTF16: utf16, Unit.UTF8: utf8}[unit]
    convert = OffsetMap(TEXT, unit)
    begin, finish = convert(measure(TEXT, start)), convert(measure(TEXT, start + len(word)))
    assert stored[begin:finish] == word


def test_a_crlf_counts_two_in_the_tool_and_one_stored():
    convert = OffsetMap("a\r\nb")
    assert [convert(0), convert(1), convert(3), convert(4)] == [0, 1, 2, 3]
    with pytest.raises(OffsetError, match="between a CR and its LF"):
        convert(2)


def test_an_offset_inside_a_character_is_refused():
    convert = OffsetMap("x😀y", Unit.UTF16)
    assert (convert(1), convert(3)) == (1, 2)
    with pytest.raises(OffsetError, match="inside a character"):
        convert(2)
    with pytest.raises(OffsetError, match="inside a character"):
        OffsetMap("é", Unit.UTF8)(1)


@pytest.mark.parametrize("bad", [-1, 99, 1.5, "3", True])
def test_what_is_no_offset_is_refused_by_name(bad):
    with pytest.raises(OffsetError):
        OffsetMap("short")(bad)


@pytest.mark.parametrize("unit", list(Unit))
def test_code_points_counted_in_a_units_and_back(unit):
    """unit_offsets (for writing another tool's format) and OffsetMap (for reading it) agree."""
    text = "Kishida 🇯🇵 e\u0301te\u0301 😀\nend"
    counted = unit_offsets(text, unit)
    assert len(counted) == len(text) + 1
    assert [OffsetMap(text, unit)(n) for n in counted] == list(range(len(text) + 1))


@given(
    text=st.lists(st.sampled_from(["a", "é", "e\u0301", "\r", "\n", "\r\n", "😀", "\ufeff", " "])).map("".join),
    unit=st.sampled_from(list(Unit)),
)
def test_every_boundary_and_the_past_the_end_agree_on_texts_with_and_without_crlf_bom_and_emoji(text, unit):
    """The map skips its table when nothing is dropped and every character is one unit wide:
    either way each boundary lands where the stored body has it, and one past the end is refused."""
    stored = normalize_body(text)
    convert = OffsetMap(text, unit)
    widths = unit_offsets(text, unit)
    dropped_before = [0] * (len(text) + 1)
    for index, char in enumerate(text):
        dropped = (index == 0 and char == "\ufeff") or (char == "\n" and index > 0 and text[index - 1] == "\r")
        dropped_before[index + 1] = dropped_before[index] + dropped
    for index in range(len(text) + 1):
        if index > 0 and text[index - 1] == "\r" and index < len(text) and text[index] == "\n":
            continue  # between a CR and its LF: refused (test above)
        assert convert(widths[index]) == index - dropped_before[index]
    assert convert(widths[-1]) == len(stored)
    with pytest.raises(OffsetError, match="past the end"):
        convert(widths[-1] + 1)
