"""An article's stored body: how it is normalised and fingerprinted."""

import hashlib


def normalize_body(text: str) -> str:
    """The stored form of a body: no leading BOM, `\\n` line endings, nothing else changed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
