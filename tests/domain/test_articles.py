"""domain/articles.py: how a body is stored (normalised) and fingerprinted. No database."""

import hashlib

import pytest

from annotations.domain.articles import body_sha256, normalize_body


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("\ufeffHeadline\r\nBody\rMore\n", "Headline\nBody\nMore\n"),
        ("a\r\n\r\nb", "a\n\nb"),
        ("no change  \t\u2028 🇯🇵\n", "no change  \t\u2028 🇯🇵\n"),
        ("middle \ufeff stays", "middle \ufeff stays"),
    ],
)
def test_only_a_leading_bom_and_line_endings_change(given, stored):
    """Offsets point into the stored body, so nothing else in it may change."""
    assert normalize_body(given) == stored
    assert normalize_body(stored) == stored


def test_the_fingerprint_is_the_sha256_of_the_utf8_body():
    body = "Зеленский 🙂\n"
    assert body_sha256(body) == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert body_sha256("x\ny") != body_sha256("x\r\ny")  # callers normalise first
