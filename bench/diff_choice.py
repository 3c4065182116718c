"""Which diff re-anchoring uses: diff-match-patch's C++ and pure Python builds, over characters
and over word tokens, on a 20,000 code point body (the seeds repeated).

    .venv/bin/pip install diff-match-patch   # the pure Python build, for this comparison only
    .venv/bin/python bench/diff_choice.py

Not part of the test suite; the figures are in BENCHMARKS.md ("Which diff").
"""

import random
import re
import time
from pathlib import Path

import fast_diff_match_patch

try:
    from diff_match_patch import diff_match_patch
except ImportError:  # the pure build is not a dependency
    diff_match_patch = None

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"[^\W_]+|\s+|.", re.DOTALL)


def body() -> str:
    text = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt")))
    while len(text) < 20_000:
        text += text
    return text[:20_000]


def rewritten(text: str, share: float, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if rng.random() < share:
            words[i] = "".join(rng.choice("abcdefghij") for _ in word)
    return " ".join(words)


def as_tokens(old: str, new: str) -> tuple[str, str]:
    codes: dict[str, str] = {}

    def encode(text: str) -> str:
        return "".join(codes.setdefault(token, chr(0xF0000 + len(codes))) for token in TOKEN.findall(text))

    return encode(old), encode(new)


def main() -> None:
    old, rng = body(), random.Random(1)
    cases = {
        "one typo": old[:5000] + "X" + old[5001:],
        "5 sentences inserted": old[:10000] + "A new sentence here. " * 5 + old[10000:],
        "30% of words rewritten": rewritten(old, 0.3, rng),
        "90% of words rewritten": rewritten(old, 0.9, rng),
    }
    pure = diff_match_patch() if diff_match_patch else None
    if pure:
        pure.Diff_Timeout = 0
    for name, new in cases.items():
        row = [f"{name:24}"]
        for label, prepare in (("chars", lambda a, b: (a, b)), ("words", as_tokens)):  # tokenizing timed too
            started = time.perf_counter()
            fast_diff_match_patch.diff(*prepare(old, new), timelimit=0, cleanup="Semantic", counts_only=True)
            row.append(f"C++ {label} {(time.perf_counter() - started) * 1000:9.1f} ms")
            if pure:
                started = time.perf_counter()
                diffs = pure.diff_main(*prepare(old, new), False)
                pure.diff_cleanupSemantic(diffs)
                row.append(f"pure {label} {(time.perf_counter() - started) * 1000:9.1f} ms")
        print("  ".join(row))


if __name__ == "__main__":
    main()
