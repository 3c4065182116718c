"""How alike two texts are, as PostgreSQL's pg_trgm measures it, so that the fallback used on
SQLite ranks claims as PostgreSQL does.

pg_trgm (contrib/pg_trgm/trgm_op.c): each word (a run of letters and digits) is lowercased
and padded with two spaces before and one after; its trigrams are every three consecutive
characters; similarity is the number of trigrams the two texts share over the number in
either (a set each).
"""

import re

_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    grams = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
