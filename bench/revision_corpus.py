"""A corpus of article revisions with known truth, for the re-anchoring benchmark.

Every case is an old body with spans on it (claims, entities, translation
artifacts), a new body made from it by one kind of edit, and the truth for each
span: where its exact text now is, or that it was edited, fixed or is gone.

The truth is not computed with a diff: each new body is assembled from pieces,
copies of old ranges and new text (saying which old range it replaces), so the
new offset of every copied old offset is known by construction. Deterministic:
every article and revision comes from a seeded `random.Random`.

    from bench.revision_corpus import corpus
    for case in corpus(): ...
"""

import random
import re
import sys
from collections import Counter
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotations.domain.anchoring import Anchor  # noqa: E402
from annotations.domain.articles import normalize_body  # noqa: E402
from annotations.domain.spans import span_context  # noqa: E402

SEEDS = ROOT / "seeds"
KINDS = (
    "typo",
    "word_in_span",
    "sentences_in_out",
    "paragraphs_moved",
    "sentence_rewritten",
    "lead_rewritten",
    "near_total_rewrite",
    "artifact_fixed",
    "emoji_combining",
)
VARIANTS = 3  # revisions of each kind per article, each with its own seed
SYNTHETIC_ARTICLES = 6
# The share of a span's old text that must be copied into the new body, the rest edited in place,
# for the span to count as "changed" (still there, edited) rather than "gone".
CHANGED_SHARE = 0.5


# --- pieces: how a new body is built from an old one ---------------------------------------------


@dataclass(frozen=True)
class Copy:
    """Old body text [start, end) copied as it is."""

    start: int
    end: int


@dataclass(frozen=True)
class Text:
    """New text; `replaces` is the old range it stands for (empty for an insertion), None if moved in."""

    text: str
    replaces: tuple[int, int] | None = None


@dataclass(frozen=True)
class Truth:
    """Where a span is in the new body: its exact text ("same"), edited ("changed"), replaced by its
    correction ("fixed"), or "gone" (start and end None)."""

    status: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Case:
    name: str  # the article and the revision's variant
    kind_of_edit: str
    old_body: str
    new_body: str
    anchors: list[Anchor]
    truth: dict[Hashable, Truth]


def assemble(old: str, pieces: list) -> tuple[str, list[tuple[object, int]]]:
    """The new body and each piece with its new start."""
    out, placed, at = [], [], 0
    copied = Counter()
    for piece in pieces:
        placed.append((piece, at))
        if isinstance(piece, Copy):
            assert 0 <= piece.start <= piece.end <= len(old)
            text = old[piece.start : piece.end]
            copied.update(range(piece.start, piece.end))
        else:
            text = piece.text
        out.append(text)
        at += len(text)
    assert not copied or max(copied.values()) == 1, "an old character copied twice: no single truth"
    return "".join(out), placed


def _old_range(piece) -> tuple[int, int] | None:
    if isinstance(piece, Copy):
        return piece.start, piece.end
    return piece.replaces


def span_truth(anchor: Anchor, placed: list[tuple[object, int]]) -> Truth:
    s, e = anchor.start, anchor.end
    for piece, at in placed:
        if isinstance(piece, Copy) and piece.start <= s and e <= piece.end:
            return Truth("same", at + s - piece.start, at + e - piece.start)
    for piece, at in placed:
        if (
            isinstance(piece, Text)
            and piece.replaces == (s, e)
            and anchor.correction
            and piece.text == anchor.correction
        ):
            return Truth("fixed", at, at + len(piece.text))
    # Pieces touching the span, in new order; they must be consecutive and in old order.
    touching = []
    for index, (piece, at) in enumerate(placed):
        old = _old_range(piece)
        if old is None:
            continue
        a, b = old
        if (a < e and b > s) or (a == b and s < a < e):
            touching.append((index, piece, at, a, b))
    if not touching:
        return Truth("gone")
    indexes = [t[0] for t in touching]
    if indexes != list(range(indexes[0], indexes[0] + len(indexes))):
        return Truth("gone")
    previous_end = touching[0][3]
    for _, _, _, a, b in touching:
        if a != previous_end:
            return Truth("gone")
        previous_end = b
    _, first, first_at, first_a, _ = touching[0]
    _, last, last_at, last_a, last_b = touching[-1]
    if first_a > s or last_b < e:
        return Truth("gone")  # part of the span neither copied nor replaced
    if (isinstance(first, Text) and first_a < s) or (isinstance(last, Text) and last_b > e):
        return Truth("gone")  # an edit straddles the span's edge: where it begins is anyone's guess
    new_start = first_at + (s - first_a) if isinstance(first, Copy) else first_at
    new_end = last_at + (e - last_a) if isinstance(last, Copy) else last_at + len(last.text)
    copied = sum(min(b, e) - max(a, s) for _, p, _, a, b in touching if isinstance(p, Copy))
    if copied < CHANGED_SHARE * (e - s) or new_end <= new_start:
        return Truth("gone")
    return Truth("changed", new_start, new_end)


def pieces_from_edits(old: str, edits: list[tuple[int, int, str]]) -> list:
    """Copies around non-overlapping replacements (start, end, new text), sorted here."""
    pieces, at = [], 0
    for start, end, text in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        assert start >= at, f"overlapping edits at {start}"
        if start > at:
            pieces.append(Copy(at, start))
        pieces.append(Text(text, (start, end)))
        at = end
    if at < len(old):
        pieces.append(Copy(at, len(old)))
    return pieces


# --- articles: bodies, their sentences and paragraphs ---------------------------------------------

_SENTENCE = re.compile(r".*?(?:[.!?\u2026](?=\s|$)|[\u3002\uff01\uff1f]|$)", re.DOTALL)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
# A word: letters and digits with their combining marks; CJK ideographs and kana one by one.
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:[\u0300-\u036f]+[^\W_{_CJK}]*)*")


@dataclass
class Article:
    name: str
    body: str
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # text ranges, separators excluded
    sentences: list[tuple[int, int, int]] = field(default_factory=list)  # (paragraph, start, end)
    words: list[tuple[int, int]] = field(default_factory=list)


def parse(name: str, body: str) -> Article:
    article = Article(name, body)
    for match in re.finditer(r"[^\n]+", body):
        if match.group().strip():
            article.paragraphs.append((match.start(), match.end()))
    for number, (p_start, p_end) in enumerate(article.paragraphs):
        at = p_start
        while at < p_end:
            while at < p_end and body[at].isspace():
                at += 1
            if at >= p_end:
                break
            match = _SENTENCE.match(body, at, p_end)
            end = match.end() if match and match.end() > at else p_end
            article.sentences.append((number, at, end))
            at = end
    article.words = [(m.start(), m.end()) for m in _WORD.finditer(body)]
    return article


# --- synthetic bodies ------------------------------------------------------------------------------

NAMES = ["Kishida", "São Paulo", "Zürich", "Kraków", "Москва", "Київ", "Jakarta", "Tōkyō", "Ελλάδα", "Reuters"]
NOUNS = ["government", "policy", "talks", "officials", "capital", "parliament", "election", "economy", "inflation"]
NOUNS += ["prices", "market", "company", "report", "growth", "police", "court", "ruling", "protest", "city"]
NOUNS += ["region", "border", "ceasefire", "agreement", "summit", "trade", "energy", "climate", "hospital", "café"]
NOUNS += ["cafe\u0301", "re\u0301sume\u0301", "naïve plan", "vaccine", "school", "students", "research"]
VERBS = ["said", "reported", "announced", "denied", "confirmed", "expected", "warned", "argued", "rejected"]
ADJECTIVES = ["new", "early", "final", "regional", "national", "sharp", "modest", "long", "unexpected", "joint"]
EMOJI = ["🙂", "📈", "📉", "🇯🇵", "👩\u200d💻", "🌧️", "🔥"]
CJK = ["東京で首脳会談が開かれた。", "政府は新しい政策を発表した。", "物価の上昇が続いている。", "警察は調査を始めた。"]
REPEATED = ["the minister said on Tuesday", "according to officials", "prices rose 3 percent"]


def _sentence(rng: random.Random, names: list[str]) -> str:
    if rng.random() < 0.08:
        return rng.choice(CJK)
    parts = [rng.choice(names) if rng.random() < 0.6 else "The " + rng.choice(NOUNS)]
    parts.append(rng.choice(VERBS))
    if rng.random() < 0.4:
        parts.append(rng.choice(REPEATED) + ",")
    for _ in range(rng.randint(3, 10)):
        roll = rng.random()
        if roll < 0.12:
            parts.append(rng.choice(names))
        elif roll < 0.2:
            parts.append(rng.choice(EMOJI))
        elif roll < 0.4:
            parts.append(rng.choice(ADJECTIVES))
        elif roll < 0.55:
            parts.append(rng.choice(["the", "in", "on", "with", "after", "of", "for"]))
        else:
            parts.append(rng.choice(NOUNS))
    if rng.random() < 0.3:
        parts.append(", " + rng.choice(REPEATED))
    text = " ".join(parts).replace(" ,", ",").replace(",,", ",")
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "!", "?"])


def synthetic_body(rng: random.Random, paragraphs: int) -> str:
    names = rng.sample(NAMES, 5)
    out = [f"Revision benchmark {rng.randrange(10**6)} from {names[0]} 📰."]
    boiler = _sentence(rng, names)  # one whole sentence repeated, like wire boilerplate
    for _ in range(paragraphs):
        sentences = [_sentence(rng, names) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.2:
            sentences.insert(rng.randrange(len(sentences) + 1), boiler)
        out.append(" ".join(sentences).replace("。 ", "。"))
    return normalize_body("\n\n".join(out) + "\n")


def articles() -> list[Article]:
    found = [parse(path.stem, normalize_body(path.read_text(encoding="utf-8"))) for path in sorted(SEEDS.glob("*.txt"))]
    rng = random.Random(20261126)
    for number in range(SYNTHETIC_ARTICLES):
        found.append(parse(f"synthetic-{number}", synthetic_body(rng, rng.randint(5, 9))))
    return found


# --- spans -------------------------------------------------------------------------------------------

ARTIFACT_CORRECTIONS = ["Japan", "Tokyo", "Prime Minister", "citizens of Japan", "the ministry", "refugees"]


def _anchor(body: str, key: str, start: int, end: int, *, correction: str = "", group: Hashable = None) -> Anchor:
    prefix, suffix = span_context(body, start, end)
    return Anchor(key, start, end, body[start:end], prefix, suffix, correction, group)


def place_spans(rng: random.Random, article: Article, *, claims: int, entities: int, artifacts: int) -> list[Anchor]:
    """Claims (sentences or clauses), entities (1-3 words, repeated words among them, sometimes
    two occurrences of the same word in one group) and artifacts with a correction."""
    body, words = article.body, article.words
    anchors, seen = [], set()

    def add(kind: str, start: int, end: int, group: Hashable, correction: str = "") -> None:
        if end <= start or (start, end, group) in seen:
            return
        seen.add((start, end, group))
        anchors.append(_anchor(body, f"{kind}{len(anchors)}", start, end, correction=correction, group=group))

    for _ in range(claims):
        _, start, end = rng.choice(article.sentences)
        text = body[start:end]
        comma = text.find(", ")
        if comma > 0 and rng.random() < 0.4:  # a clause: before or after the first comma
            start, end = (start, start + comma) if rng.random() < 0.5 else (start + comma + 2, end)
        add("claim", start, end, ("claim", rng.choice(["", "the minister", "police"])))
    counts = Counter(body[a:b] for a, b in words)
    repeated = [i for i, (a, b) in enumerate(words) if counts[body[a:b]] > 1 and (b - a > 3 or not body[a].isascii())]
    for _ in range(entities):
        first = rng.choice(repeated) if repeated and rng.random() < 0.6 else rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.choice([0, 0, 0, 1, 2]))
        start, end = _within_sentence(body, words[first], words[last])
        group = ("entity", rng.choice(["PERSON", "ORG", "PLACE"]))
        add("entity", start, end, group)
        if rng.random() < 0.25:  # the same word annotated again elsewhere, in the same group
            others = [(a, b) for a, b in words if body[a:b] == body[start:end] and a != start]
            if others:
                add("entity", *rng.choice(others), group)
    for _ in range(artifacts):
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.choice([0, 0, 1]))
        start, end = _within_sentence(body, words[first], words[last])
        correction = rng.choice([c for c in ARTIFACT_CORRECTIONS if c != body[start:end]])
        add("artifact", start, end, ("artifact", "mistranslation"), correction)
    return anchors


def _within_sentence(body: str, first: tuple[int, int], last: tuple[int, int]) -> tuple[int, int]:
    """From the first word to the last, or the first alone if a sentence or line ends between them."""
    if re.search(r"[.!?\n\u3002\uff01\uff1f]", body[first[1] : last[0]]):
        return first
    return first[0], last[1]


def _overlaps(start: int, end: int, anchors: list[Anchor]) -> list[Anchor]:
    return [a for a in anchors if a.start < end and a.end > start]


# --- revisions ---------------------------------------------------------------------------------------


def _new_sentence(rng: random.Random, avoid: set[str]) -> str:
    """A fresh sentence using none of the words in `avoid`."""
    for _ in range(50):
        text = _sentence(rng, [n for n in NAMES if n not in avoid])
        if not any(word in avoid for word in re.findall(r"[^\W_]+", text)):
            return text
    return "A further statement was issued later."


def _words_of(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text))


def _typo(rng: random.Random, word: str) -> tuple[int, int, str] | None:
    """A typo strictly inside the word (its first and last characters stay), as the smallest
    replacement: (start, end, new text) relative to the word."""
    if len(word) < 4:
        return None
    i = rng.randrange(1, len(word) - 2)
    roll = rng.random()
    if roll < 0.3:
        return (i, i + 2, word[i + 1] + word[i]) if word[i] != word[i + 1] else None
    if roll < 0.6:
        new = rng.choice([c for c in "aeiouns" if c != word[i]])
        return i, i + 1, new
    if roll < 0.8:
        return i, i, rng.choice("aeiouns")
    return i, i + 1, ""


def revise_typo(rng, article, anchors):
    body, edits = article.body, []
    inside = [w for w in article.words if _overlaps(*w, anchors)]
    outside = [w for w in article.words if not _overlaps(*w, anchors)]
    for pool in (inside, outside):
        for start, end in rng.sample(pool, min(len(pool), rng.randint(2, 4))):
            typo = _typo(rng, body[start:end])
            if typo:
                edits.append((start + typo[0], start + typo[1], typo[2]))
    return pieces_from_edits(body, edits)


def revise_word_in_span(rng, article, anchors):
    body, edits, used = article.body, [], []
    candidates = [a for a in anchors if " " in a.quote]
    for anchor in rng.sample(candidates, min(len(candidates), rng.randint(2, 4))):
        inner = [w for w in article.words if anchor.start <= w[0] and w[1] <= anchor.end]
        start, end = rng.choice(inner)
        if any(start < b and end > a for a, b in used):
            continue
        replacement = rng.choice([w for w in NOUNS + ADJECTIVES if w != body[start:end]])
        used.append((start, end))
        edits.append((start, end, replacement))
    return pieces_from_edits(body, edits)


def revise_sentences_in_out(rng, article, anchors):
    body, edits = article.body, []
    sentences = article.sentences[1:]  # keep the first: something must start the body
    deleted = rng.sample(sentences, min(len(sentences), rng.randint(1, 2)))
    for _, start, end in deleted:
        # Take the sentence and the space after it (or before it, at a paragraph's end).
        if body[start - 2 : start] == "\n\n" and body[end : end + 1] in ("\n", ""):
            edits.append((start - 2, end, ""))  # the paragraph's only sentence: the paragraph goes
        elif end < len(body) and body[end] == " ":
            edits.append((start, end + 1, ""))
        elif start > 0 and body[start - 1] == " ":
            edits.append((start - 1, end, ""))
        else:
            edits.append((start, end, ""))
    taken = [(a, b) for a, b, _ in edits]
    known = sorted({a.quote for a in anchors if len(a.quote.split()) <= 2})
    for _ in range(rng.randint(2, 3)):
        _, _, end = rng.choice(article.sentences)
        if any(a <= end <= b for a, b in taken):
            continue
        taken.append((end, end))
        sentence = _new_sentence(rng, set())
        if known and rng.random() < 0.5:  # new text that repeats a span's words elsewhere
            sentence = f"{rng.choice(known)} {sentence[0].lower()}{sentence[1:]}"
        edits.append((end, end, (" " if rng.random() < 0.7 else "\n\n") + sentence))
    return pieces_from_edits(body, edits)


def revise_paragraphs_moved(rng, article, anchors):
    paragraphs = list(article.paragraphs)
    order = list(range(len(paragraphs)))
    for _ in range(rng.randint(1, 2)):
        moved = order.pop(rng.randrange(1, len(order)))
        order.insert(rng.randrange(len(order)), moved)
    if order == list(range(len(paragraphs))):
        order[-1], order[-2] = order[-2], order[-1]
    pieces = [Copy(0, paragraphs[0][0])] if paragraphs[0][0] else []
    for position, number in enumerate(order):
        if position:
            pieces.append(Text("\n\n"))
        pieces.append(Copy(*paragraphs[number]))
    pieces.append(Text(article.body[paragraphs[-1][1] :]))
    return pieces


def revise_sentence_rewritten(rng, article, anchors):
    body, edits = article.body, []
    with_spans = [s for s in article.sentences if _overlaps(s[1], s[2], anchors)]
    for _, start, end in rng.sample(with_spans, min(len(with_spans), rng.randint(1, 2))):
        avoid = set().union(*(_words_of(a.quote) for a in _overlaps(start, end, anchors)))
        edits.append((start, end, _new_sentence(rng, avoid)))
    return pieces_from_edits(body, edits)


def revise_lead_rewritten(rng, article, anchors):
    start, end = article.paragraphs[0]
    old_names = [w for w in re.findall(r"[^\W_]+", article.body[start:end]) if w[0].isupper()]
    sentences = [_new_sentence(rng, set()) for _ in range(rng.randint(2, 3))]
    if old_names:  # a rewritten lead still names who it is about
        sentences[0] = f"{rng.choice(old_names)} {sentences[0][0].lower()}{sentences[0][1:]}"
    return pieces_from_edits(article.body, [(start, end, " ".join(sentences))])


def revise_near_total(rng, article, anchors):
    edits = []
    for _, start, end in article.sentences:
        if rng.random() < 0.9:
            edits.append((start, end, _new_sentence(rng, set())))
    return pieces_from_edits(article.body, edits)


def revise_artifact_fixed(rng, article, anchors):
    body, edits = article.body, []
    artifacts = [a for a in anchors if a.correction]
    for anchor in rng.sample(artifacts, min(len(artifacts), rng.randint(1, 3))):
        if any(anchor.start < b and anchor.end > a for a, b, _ in edits):
            continue
        edits.append((anchor.start, anchor.end, anchor.correction))
    # And one plain insertion early on, so that later text moves.
    _, _, end = article.sentences[0]
    if not any(a <= end <= b for a, b, _ in edits):
        edits.append((end, end, " Updated."))
    return pieces_from_edits(body, edits)


def revise_emoji_combining(rng, article, anchors):
    """Emoji and combining marks put next to spans, an e-acute decomposed inside words, emoji taken out."""
    body, edits, taken = article.body, [], []

    def free(start: int, end: int) -> bool:
        return not any((start < b and end > a) or start == end == a for a, b in taken)

    ends = {anchor.end for anchor in anchors}
    for anchor in rng.sample(anchors, min(len(anchors), 4)):
        at = anchor.start if rng.random() < 0.5 else anchor.end  # right at its edge, outside it
        inserted = rng.choice(["🙂", "🇯🇵 ", " e\u0301", "👩\u200d💻", "\u0301"])
        if inserted == "\u0301" and at in ends:
            # A lone combining mark joins the character before it: after a span's end it would
            # change the span's last letter; letters glued to a span would make its word another.
            inserted = " e\u0301"
        if free(at, at):
            taken.append((at, at))
            edits.append((at, at, inserted))
    for start, end in article.words:
        word = body[start:end]
        if "é" in word and rng.random() < 0.6 and free(start, end):
            at = start + word.index("é")
            taken.append((start, end))
            edits.append((at, at + 1, "e\u0301"))
    emoji = [m.span() for m in re.finditer("|".join(map(re.escape, EMOJI)), body)]
    for start, end in rng.sample(emoji, min(len(emoji), 2)):
        if free(start, end):
            taken.append((start, end))
            edits.append((start, end, rng.choice(["", "🔥🔥", "📉"])))
    for _, _, end in rng.sample(article.sentences, min(len(article.sentences), 2)):
        if free(end, end):
            taken.append((end, end))
            edits.append((end, end, " Café 🙂 re\u0301sume\u0301 👩\u200d💻."))
    return pieces_from_edits(body, edits)


REVISERS = {
    "typo": revise_typo,
    "word_in_span": revise_word_in_span,
    "sentences_in_out": revise_sentences_in_out,
    "paragraphs_moved": revise_paragraphs_moved,
    "sentence_rewritten": revise_sentence_rewritten,
    "lead_rewritten": revise_lead_rewritten,
    "near_total_rewrite": revise_near_total,
    "artifact_fixed": revise_artifact_fixed,
    "emoji_combining": revise_emoji_combining,
}
assert tuple(REVISERS) == KINDS


def make_case(name: str, kind: str, article: Article, anchors: list[Anchor], pieces: list) -> Case:
    new_body, placed = assemble(article.body, pieces)
    assert "\r" not in new_body
    truth = {anchor.key: span_truth(anchor, placed) for anchor in anchors}
    for anchor in anchors:
        t = truth[anchor.key]
        if t.status == "same":
            assert new_body[t.start : t.end] == anchor.quote, (name, kind, anchor)
        elif t.status == "fixed":
            assert new_body[t.start : t.end] == anchor.correction, (name, kind, anchor)
    return Case(name, kind, article.body, new_body, anchors, truth)


def spans_for(article: Article, seed: int) -> list[Anchor]:
    rng = random.Random(seed)
    scale = max(1, len(article.body) // 1200)
    return place_spans(rng, article, claims=4 * scale, entities=8 * scale, artifacts=2 * scale)


def corpus() -> Iterator[Case]:
    """Every article, every kind of edit, VARIANTS revisions each."""
    for number, article in enumerate(articles()):
        anchors = spans_for(article, 1000 + number)
        for kind in KINDS:
            for variant in range(VARIANTS):
                rng = random.Random(f"{article.name}/{kind}/{variant}")
                pieces = REVISERS[kind](rng, article, anchors)
                yield make_case(f"{article.name}#{variant}", kind, article, anchors, pieces)


def large_case(kind: str, *, length: int = 20_000, spans: int = 1_000) -> Case:
    """One article of about `length` code points with `spans` spans, revised by `kind` (for timing)."""
    rng = random.Random(f"large/{length}")
    body = synthetic_body(rng, 8)
    while len(body) < length:
        body = body.rstrip("\n") + "\n\n" + synthetic_body(rng, 4).split("\n\n", 1)[1]
    article = parse("large", body)
    anchors = place_spans(rng, article, claims=spans // 4, entities=spans * 3 // 4, artifacts=spans // 8)
    anchors = sorted(random.Random(1).sample(anchors, spans), key=lambda anchor: anchor.start)
    pieces = REVISERS[kind](random.Random(f"large/{kind}"), article, anchors)
    return make_case("large", kind, article, anchors, pieces)
