"""Offsets from other tools, converted at the edge to Copydesk's: code points into the stored body.

A tool counts in its own unit over the text as it holds it: code points
(Python, Label Studio), UTF-16 code units (JavaScript editors: doccano), or
UTF-8 bytes; and its text may still have the `\\r\\n` line endings and the
byte-order mark that Copydesk drops when it stores a body
(domain/articles.normalize_body). An `OffsetMap` turns an offset of the first
kind into one of the second, and refuses, by reason, one that cannot be a
boundary: inside a character, between a `\\r` and its `\\n`, or past the end.
"""

from enum import StrEnum


class Unit(StrEnum):
    CODE_POINTS = "code points"
    UTF16 = "UTF-16 code units"
    UTF8 = "UTF-8 bytes"


def _width(char: str, unit: Unit) -> int:
    if unit == Unit.UTF16:
        return 2 if ord(char) > 0xFFFF else 1
    if unit == Unit.UTF8:
        return len(char.encode("utf-8", "surrogatepass"))
    return 1


def unit_offsets(text: str, unit: Unit) -> list[int]:
    """The other way: each code point offset of `text` (0 to its length) counted in `unit`, for
    writing another tool's format."""
    offsets, at = [0], 0
    for char in text:
        at += _width(char, unit)
        offsets.append(at)
    return offsets


def _same_offsets(text: str, unit: Unit) -> bool:
    """Whether the tool's offsets over `text` are the stored body's: nothing dropped (no BOM, no
    CRLF) and every character one unit wide."""
    if text.startswith("\ufeff") or "\r\n" in text:
        return False
    if unit == Unit.UTF16:
        return not text or max(text) <= "\uffff"
    if unit == Unit.UTF8:
        return text.isascii()
    return True


class OffsetError(ValueError):
    pass


class OffsetMap:
    """Offsets in `unit` over `text` (as the other tool holds it) to code points of the stored body."""

    def __init__(self, text: str, unit: Unit = Unit.CODE_POINTS):
        self.unit = unit
        self._length = len(text)
        self._stored: list[int | None] | None = None
        if _same_offsets(text, unit):
            return  # the common case, without a table the size of the text (most of a read's time)
        # stored[u]: the stored body's offset at the tool's offset u; None where u is no boundary.
        stored: list[int | None] = []
        kept = 0  # characters of the stored body so far
        for index, char in enumerate(text):
            dropped = (index == 0 and char == "\ufeff") or (char == "\n" and index > 0 and text[index - 1] == "\r")
            boundary = not (char == "\n" and index > 0 and text[index - 1] == "\r")
            stored.append(kept if boundary else None)
            stored.extend([None] * (_width(char, unit) - 1))
            if not dropped:
                kept += 1
        stored.append(kept)
        self._stored = stored

    def __call__(self, offset: int) -> int:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise OffsetError(f"{offset!r} is not an offset (a whole number from 0)")
        if self._stored is None:
            if offset > self._length:
                raise OffsetError(f"{offset} is past the end of the text ({self._length} {self.unit})")
            return offset
        if offset >= len(self._stored):
            raise OffsetError(f"{offset} is past the end of the text ({len(self._stored) - 1} {self.unit})")
        converted = self._stored[offset]
        if converted is None:
            raise OffsetError(f"{offset} ({self.unit}) falls inside a character or between a CR and its LF")
        return converted
