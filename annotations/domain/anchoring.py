"""Re-anchoring: where each span of an old body lies in a new one, and how sure that is.

Offsets go through a real diff of the two texts first (Google's diff-match-patch,
C++ build, over word tokens: BENCHMARKS.md measured it against the pure Python
build and against a character diff). A span that lies inside one stretch the
diff found equal, with its surrounding text agreeing too, is `moved` (or
`unchanged`). Anything less certain falls back to finding the quote by its
context near where the diff puts it, and is `fuzzy` at best: a person confirms
it. Never silently on the wrong text.

Plain Python: no Django here, offsets are code points (str indices).
"""

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

import fast_diff_match_patch

from .labels import LabelledEnum
from .spans import occurrences


class Outcome(LabelledEnum):
    UNCHANGED = "unchanged", "Unchanged"
    MOVED = "moved", "Moved"
    FIXED = "fixed", "Fixed"
    FUZZY = "fuzzy", "Fuzzy"
    ORPHANED = "orphaned", "Orphaned"


@dataclass(frozen=True)
class Anchor:
    """What is known of a span on the old body."""

    key: Hashable  # the caller's name for it (an annotation id)
    start: int
    end: int
    quote: str  # old_body[start:end]
    prefix: str = ""  # old body text just before and after the span (spans.span_context)
    suffix: str = ""
    correction: str = ""  # a translation artifact's suggested correction: reading it means fixed
    group: Hashable = None  # spans of one group (not None) never share a new (start, end): a unique constraint


@dataclass(frozen=True)
class Placement:
    key: Hashable
    outcome: Outcome
    start: int  # for ORPHANED: the old span, as given
    end: int
    quote: str

    @property
    def placed(self) -> bool:
        return self.outcome != Outcome.ORPHANED


# Text agreeing on each side of a span, beyond the diff's word: enough that a short quote
# (a name) is not taken from another sentence that happens to share it.
CONTEXT_AGREEMENT = 8
# The diff's equal stretch must reach this far past the span on one side: a few words that a
# rewritten sentence happens to share with the old one are not where the span went.
STRETCH_MARGIN = 16
# A paragraph (line) at least this long, found whole and once in each body, carries its spans
# along wherever it moved.
PARAGRAPH_MIN = 40
# A quote this long, found once in the new body, is placed (fuzzy) even if its context changed.
LONG_QUOTE = 20
# A changed span is placed (fuzzy) when its new text is at least this similar to the old.
SIMILARITY_THRESHOLD = 0.5
# A quote found elsewhere must bring this share of its context along (of what it had).
SEARCH_CONTEXT_SHARE = 0.25
# How far (code points) around the diff's new span a correction is looked for.
CORRECTION_SLACK = 16

# Words, runs of white space, and single other characters; CJK ideographs and kana one
# by one (they run together without spaces, and a sentence is not a word).
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+|\s+|.", re.DOTALL)
_PRIVATE_USE = [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]  # never in the tokens' text
_SLIDE_CAP = 2000  # code points compared when measuring how far an edit could slide


def reanchor(old_body: str, new_body: str, anchors: Iterable[Anchor]) -> list[Placement]:
    """One placement per anchor, in their order."""
    anchors = list(anchors)
    if old_body == new_body:
        return [Placement(a.key, Outcome.UNCHANGED, a.start, a.end, a.quote) for a in anchors]
    mapping = OffsetMap(old_body, new_body)
    placements = [_place(anchor, mapping) for anchor in anchors]
    return _without_collisions(anchors, placements)


class OffsetMap:
    """Old offsets to new ones through the diff: equal stretches map exactly, changed ones roughly."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        # (old start, new start, old length, new length, equal?) per stretch, in order.
        self.stretches: list[tuple[int, int, int, int, bool]] = []
        old_at = new_at = 0
        pending_old = pending_new = 0
        for equal, old_len, new_len in _token_diff(old, new):
            if equal:
                if pending_old or pending_new:
                    self.stretches.append((old_at, new_at, pending_old, pending_new, False))
                    old_at, new_at = old_at + pending_old, new_at + pending_new
                    pending_old = pending_new = 0
                self.stretches.append((old_at, new_at, old_len, new_len, True))
                old_at, new_at = old_at + old_len, new_at + new_len
            else:
                pending_old, pending_new = pending_old + old_len, pending_new + new_len
        if pending_old or pending_new:
            self.stretches.append((old_at, new_at, pending_old, pending_new, False))
        # Pure insertions have no old text: searching by old offset skips them.
        self._by_old = [s for s in self.stretches if s[2]]
        self._old_starts = [s[0] for s in self._by_old]
        self.sliding = self._slide_windows()

    def _slide_windows(self) -> list[tuple[int, int]]:
        """Old text next to a pure insertion or deletion that the diff could as well have put on
        the edit's other side ("A x. A y." less "A x. " reads the same as less "x. A "): which
        copy a span inside such a window stood on, the diff cannot say."""
        old, new = self.old, self.new
        windows = []
        for old_at, new_at, old_len, new_len, equal in self.stretches:
            if equal or (old_len and new_len):
                continue
            text, at, length = (old, old_at, old_len) if old_len else (new, new_at, new_len)
            left = _common_suffix(
                text[max(0, at - _SLIDE_CAP) : at], text[max(0, at + length - _SLIDE_CAP) : at + length]
            )
            right = _common_prefix(text[at : at + _SLIDE_CAP], text[at + length : at + length + _SLIDE_CAP])
            if left or right:
                windows.append((old_at - left, old_at + old_len + right))
        return windows

    def in_slide_window(self, start: int, end: int) -> bool:
        return any(low <= start and end <= high for low, high in self.sliding)

    def stretch_at(self, offset: int) -> tuple[int, int, int, int, bool]:
        """The stretch holding old code point `offset`."""
        return self._by_old[bisect_right(self._old_starts, offset) - 1]

    def exact(self, start: int, end: int) -> int | None:
        """Where the span's text is in the new body, if the diff kept it whole in one equal stretch."""
        old_at, new_at, old_len, _, equal = self.stretch_at(start)
        if equal and end <= old_at + old_len:
            return new_at + (start - old_at)
        return None

    def margin(self, start: int, end: int) -> bool:
        """Whether the equal stretch holding the span reaches STRETCH_MARGIN past it on a side
        (or to the body's edge)."""
        old_at, _, old_len, _, _ = self.stretch_at(start)
        before, after = start - old_at, old_at + old_len - end
        return before >= min(STRETCH_MARGIN, start) or after >= min(STRETCH_MARGIN, len(self.old) - end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The new text standing where the span stood: exact at equal ends; a changed end takes
        the replacement text along (proportionally, where the change runs past the span)."""
        old_at, new_at, old_len, new_len, equal = self.stretch_at(start)
        new_start = new_at + (start - old_at if equal else min(start - old_at, new_len))
        old_at, new_at, old_len, new_len, equal = self.stretch_at(end - 1)
        runs_past = equal or old_at + old_len > end
        new_end = new_at + (min(end - old_at, new_len) if runs_past else new_len)
        return new_start, new_end

    def inserted(self, new_start: int, new_end: int) -> bool:
        """Whether any of the new text in [new_start, new_end) is not in the old body's diff."""
        return any(
            not equal and new_len and new_at < new_end and new_at + new_len > new_start
            for _, new_at, _, new_len, equal in self.stretches
        )


def _token_diff(old: str, new: str) -> list[tuple[bool, int, int]]:
    """The diff as (equal?, old code points, new code points) runs, over word tokens."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    codes: dict[str, str] = {}
    old_codes = "".join(_code(codes, token) for token in old_tokens)
    new_codes = "".join(_code(codes, token) for token in new_tokens)
    runs = []
    old_i = new_i = 0
    for op, length in fast_diff_match_patch.diff(
        old_codes, new_codes, timelimit=0, cleanup="Semantic", counts_only=True
    ):
        if op == "=":
            size = sum(len(t) for t in old_tokens[old_i : old_i + length])
            runs.append((True, size, size))
            old_i, new_i = old_i + length, new_i + length
        elif op == "-":
            runs.append((False, sum(len(t) for t in old_tokens[old_i : old_i + length]), 0))
            old_i += length
        else:
            runs.append((False, 0, sum(len(t) for t in new_tokens[new_i : new_i + length])))
            new_i += length
    return runs


def _code(codes: dict[str, str], token: str) -> str:
    """One private-use character per distinct token."""
    if token not in codes:
        n = len(codes)
        for low, high in _PRIVATE_USE:
            if n <= high - low:
                codes[token] = chr(low + n)
                break
            n -= high - low + 1
        else:  # over 190,000 distinct tokens: no text of an article has that many
            raise ValueError("Too many distinct words to compare.")
    return codes[token]


def _place(anchor: Anchor, mapping: OffsetMap) -> Placement:
    new = mapping.new
    diff_spot = mapping.exact(anchor.start, anchor.end)
    certain = diff_spot is not None and _certain(anchor, mapping, diff_spot)
    at = diff_spot if certain else _by_paragraph(anchor, mapping)
    if at is not None:
        end = at + len(anchor.quote)
        outcome = Outcome.UNCHANGED if (at, end) == (anchor.start, anchor.end) else Outcome.MOVED
        return Placement(anchor.key, outcome, at, end, anchor.quote)
    guess_start, guess_end = mapping.span(anchor.start, anchor.end)
    if anchor.correction and (fixed := _correction_near(anchor.correction, mapping, guess_start, guess_end)):
        return Placement(anchor.key, Outcome.FIXED, fixed, fixed + len(anchor.correction), anchor.correction)
    if (found := _search(anchor, new, near=guess_start, diff_spot=diff_spot)) is not None:
        return Placement(anchor.key, Outcome.FUZZY, found, found + len(anchor.quote), anchor.quote)
    start, end = _trimmed(new, guess_start, guess_end)
    if start < end and _similarity(anchor.quote, new[start:end]) >= SIMILARITY_THRESHOLD:
        return Placement(anchor.key, Outcome.FUZZY, start, end, new[start:end])
    return Placement(anchor.key, Outcome.ORPHANED, anchor.start, anchor.end, anchor.quote)


def _certain(anchor: Anchor, mapping: OffsetMap, at: int) -> bool:
    """The diff kept the span whole at `at`. Sure when the quote occurs once in each body
    (there is nowhere else it could be); otherwise when the text either side agrees, the
    diff's equal stretch reaches well past the span, and no edit beside it could as well
    have been placed on the span's other side."""
    old, new = mapping.old, mapping.new
    end = at + len(anchor.quote)
    before = min(CONTEXT_AGREEMENT, anchor.start)
    after = min(CONTEXT_AGREEMENT, len(old) - anchor.end)
    if (
        new[max(0, at - before) : at] == old[anchor.start - before : anchor.start]
        and new[end : end + after] == old[anchor.end : anchor.end + after]
        and mapping.margin(anchor.start, anchor.end)
        and not mapping.in_slide_window(anchor.start, anchor.end)
    ):
        return True
    return len(occurrences(new, anchor.quote)) == 1 and len(occurrences(old, anchor.quote)) == 1


def _by_paragraph(anchor: Anchor, mapping: OffsetMap) -> int | None:
    """Where the span is if its paragraph (a line of PARAGRAPH_MIN code points or more) stands
    whole and once in each body: moved paragraphs carry their spans."""
    old = mapping.old
    line_start = old.rfind("\n", 0, anchor.start) + 1
    line_end = old.find("\n", anchor.end)
    line_end = len(old) if line_end == -1 else line_end
    if anchor.end > line_end or line_end - line_start < PARAGRAPH_MIN:
        return None
    line = old[line_start:line_end]
    in_old, in_new = _whole_lines(old, line), _whole_lines(mapping.new, line)
    if len(in_old) != 1 or len(in_new) != 1:
        return None
    return in_new[0] + (anchor.start - line_start)


def _whole_lines(text: str, line: str) -> list[int]:
    """Where `line` stands in `text` as a whole line (between line breaks or the text's ends)."""
    return [
        at
        for at in occurrences(text, line)
        if (at == 0 or text[at - 1] == "\n") and (at + len(line) == len(text) or text[at + len(line)] == "\n")
    ]


def _correction_near(correction: str, mapping: OffsetMap, start: int, end: int) -> int | None:
    """Where the correction now stands in place of the span: new text (not kept from the
    old body) at or next to where the span went; the nearest if several."""
    low = max(0, start - len(correction) - CORRECTION_SLACK)
    high = end + len(correction) + CORRECTION_SLACK
    window = mapping.new[low:high]
    candidates = [
        low + hit for hit in occurrences(window, correction) if mapping.inserted(low + hit, low + hit + len(correction))
    ]
    return min(candidates, key=lambda hit: abs(hit - start), default=None)


def _search(anchor: Anchor, new: str, *, near: int, diff_spot: int | None) -> int | None:
    """The exact quote in the new body where enough of its context came along: the diff's own
    spot if it qualifies, else where the context agrees best (nearest the diff's guess among
    equals). A long quote found once qualifies whatever its context."""
    possible = len(anchor.prefix) + len(anchor.suffix)
    hits = occurrences(new, anchor.quote)
    if len(hits) == 1 and len(anchor.quote) >= LONG_QUOTE:
        return hits[0]

    def agreed(hit: int) -> int:
        after = hit + len(anchor.quote)
        return _common_suffix(anchor.prefix, new[max(0, hit - len(anchor.prefix)) : hit]) + _common_prefix(
            anchor.suffix, new[after : after + len(anchor.suffix)]
        )

    enough = SEARCH_CONTEXT_SHARE * possible
    if diff_spot is not None and agreed(diff_spot) >= enough:
        return diff_spot
    scored = [(agreed(hit), -abs(hit - near), hit) for hit in hits]
    best = max(scored, default=None)
    if best is None or best[0] < enough:
        return None
    return best[2]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at its ends (a span never starts or ends in a gap)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


_RANK = {Outcome.UNCHANGED: 0, Outcome.MOVED: 0, Outcome.FIXED: 1, Outcome.FUZZY: 2}


def _without_collisions(anchors: list[Anchor], placements: list[Placement]) -> list[Placement]:
    """Two spans of a group on one new span: the surer (then the first) keeps it, the other is orphaned."""
    taken: dict[tuple, int] = {}
    result = list(placements)
    order = sorted((i for i, p in enumerate(placements) if p.placed), key=lambda i: (_RANK[placements[i].outcome], i))
    for i in order:
        if anchors[i].group is None:
            continue
        spot = (anchors[i].group, placements[i].start, placements[i].end)
        if spot in taken:
            a = anchors[i]
            result[i] = Placement(a.key, Outcome.ORPHANED, a.start, a.end, a.quote)
        else:
            taken[spot] = i
    return result
