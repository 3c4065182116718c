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


# Finding candidates: a claim is compared only with the claims that share one of its rarest
# words (its "probes"), which an inverted index over claims' words finds at once; comparing it
# with every claim, or walking a trigram index in distance order, took about 400 ms at 400,000
# sentence-length claims (BENCHMARKS.md). A claim that states the same thing shares a name, a
# place, a figure or an uncommon word with it: those are what the probes are.
PROBES = 4
# Claims with a word are counted up to this many: past it, a word is common, and how common
# does not matter.
COUNT_CAP = 1000


def words(text: str) -> set[str]:
    """The text's words as PostgreSQL's 'simple' text search configuration makes them: runs of
    letters and digits, lowercased."""
    return set(_WORD.findall(text.lower()))


def probes(claims_with: dict[str, int], *, count: int = PROBES) -> list[str]:
    """The `count` words of a claim found in the fewest claims (`claims_with`: how many claims,
    itself included, have each word; past COUNT_CAP, a common word), the longer first among
    equals (a long word is rarer, on the whole). A word no other claim has finds nothing and
    is no probe; a common word is one only when the claim has no rarer word another claim has
    (it would fill the candidates with claims that share only it)."""
    shared = [word for word, n in claims_with.items() if n >= 2]
    rare = [word for word in shared if claims_with[word] <= COUNT_CAP]
    return sorted(rare or shared, key=lambda word: (min(claims_with[word], COUNT_CAP + 1), -len(word), word))[:count]
