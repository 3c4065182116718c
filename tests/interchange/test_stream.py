"""interchange/stream.py: small pieces gathered into pieces of a useful size, nothing lost. No database."""

import pytest

from annotations.interchange import stream
from annotations.interchange.stream import gathered, in_pieces


@pytest.fixture
def small_flush(monkeypatch):
    monkeypatch.setattr(stream, "FLUSH_BYTES", 10)


def test_blocks_are_gathered_until_the_flush_size(small_flush):
    """A piece is handed on once it holds FLUSH_BYTES or more; the rest comes last."""
    assert list(gathered([b"abcd", b"efgh", b"ijkl", b"m", b"nopqrstuvwxyz", b"!"])) == [
        b"abcdefghijkl",
        b"mnopqrstuvwxyz",
        b"!",
    ]
    assert list(gathered([])) == []


def test_texts_are_utf8_encoded_in_pieces(small_flush):
    texts = ["Зеленский", " in ", "Kyiv 🙂\n"]
    pieces = list(in_pieces(texts))
    assert b"".join(pieces).decode() == "".join(texts)
    assert pieces[0] == "Зеленский".encode()  # 18 bytes: over the flush size on its own
