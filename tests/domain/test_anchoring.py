"""domain/anchoring.py: re-anchoring spans when an article's body is revised. No database.

The contract (API.md): an annotation is never silently placed on the wrong text. When the new
span is not certain the outcome is fuzzy or orphaned, never moved. Offsets are code points.
"""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotations.domain.anchoring import Anchor, Outcome, Placement, reanchor
from annotations.domain.spans import occurrences, span_context

# Sentences from seeds/*.txt (Kyodo and the translated Jakarta report).
LEAD = (
    "Japan is planning to accept people fleeing Russia's invasion of Ukraine at an early date, "
    "Prime Minister Fumio Kishida said Wednesday as Tokyo ramps up its humanitarian support."
)
LIMIT = "Refugees from Ukraine will not count toward the daily limit, Kishida said."
POLAND = (
    "Poland is among the neighboring countries that have accepted such refugees. During their phone talks, "
    "Kishida told Polish Prime Minister Mateusz Morawiecki about Japan's plan to accept such people."
)
PLEDGE = "Japan has pledged humanitarian assistance worth $100 million to Ukraine via international organizations."
EMBASSY = (
    "Japan decided to temporarily shut its embassy in Kyiv, with its operations transferred to a liaison office "
    "set up in Lviv in western Ukraine."
)
BODY = "\n\n".join([LEAD, LIMIT, POLAND, PLEDGE])

SAKURA = "the citizens of the State of Sakura"
VOLUNTEERS = (
    "At regular press conferences, Matsuno stressed that the government had raised the travel alert across "
    "Ukraine to the highest level. However, the interest of the citizens of the State of Sakura remains high "
    "to volunteer to Ukraine."
)

PLACED_CERTAIN = {Outcome.UNCHANGED, Outcome.MOVED}


def anchor_on(body: str, quote: str, nth: int = 0, *, key=None, **fields) -> Anchor:
    """An anchor on the nth occurrence (from 0) of quote, with the context the service stores."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(quote, start + 1)
    end = start + len(quote)
    prefix, suffix = span_context(body, start, end)
    return Anchor(
        key=key or f"{quote}#{nth}", start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, **fields
    )


def place(old: str, new: str, *anchors: Anchor) -> list[Placement]:
    """reanchor, checking what holds for every placement: one per anchor in order, placed text read from new."""
    placements = reanchor(old, new, anchors)
    assert [p.key for p in placements] == [a.key for a in anchors]
    for anchor, placement in zip(anchors, placements, strict=True):
        if placement.placed:
            assert placement.quote == new[placement.start : placement.end]
        else:
            assert (placement.start, placement.end, placement.quote) == (anchor.start, anchor.end, anchor.quote)
    return placements


def at(body: str, quote: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = body.index(quote, start + 1)
    return start, start + len(quote)


def test_identical_bodies_leave_every_span_unchanged():
    """The same body twice: every anchor unchanged, where it was."""
    anchors = [anchor_on(BODY, "Fumio Kishida"), anchor_on(BODY, "the daily limit"), anchor_on(BODY, "Japan", 2)]
    placements = place(BODY, BODY, *anchors)
    assert [p.outcome for p in placements] == [Outcome.UNCHANGED] * 3
    assert [(p.start, p.end) for p in placements] == [(a.start, a.end) for a in anchors]


def test_typo_fixed_far_from_spans_moves_later_ones_by_its_length():
    """ "Kishda" corrected to "Kishida" in the third paragraph: a span before it stays, one after moves by one."""
    old = BODY.replace("Kishida told Polish", "Kishda told Polish")
    before, after = anchor_on(old, "the daily limit"), anchor_on(old, "humanitarian assistance")
    placements = place(old, BODY, before, after)
    assert placements[0] == Placement(before.key, Outcome.UNCHANGED, before.start, before.end, "the daily limit")
    assert placements[1] == Placement(after.key, Outcome.MOVED, after.start + 1, after.end + 1, after.quote)
    assert (placements[1].start, placements[1].end) == at(BODY, "humanitarian assistance")


def test_word_replaced_inside_a_span_is_fuzzy_on_the_edited_text():
    """ "daily" becomes "overall" inside the span: placed, but a person confirms; the span reads the new words."""
    quote = "will not count toward the daily limit"
    new = BODY.replace("the daily limit", "the overall limit")
    (placement,) = place(BODY, new, anchor_on(BODY, quote))
    assert placement.outcome == Outcome.FUZZY
    assert placement.quote == "will not count toward the overall limit"
    assert (placement.start, placement.end) == at(new, placement.quote)


def test_sentence_inserted_before_a_span_moves_it():
    """A new sentence in the lead: every later span moves by its length, exactly."""
    inserted = " Japan has still maintained a cap on the number of people arriving from overseas."
    new = BODY.replace("humanitarian support.", "humanitarian support." + inserted)
    anchors = [anchor_on(BODY, "Mateusz Morawiecki"), anchor_on(BODY, "$100 million")]
    placements = place(BODY, new, *anchors)
    for anchor, placement in zip(anchors, placements, strict=True):
        assert placement.outcome == Outcome.MOVED
        assert (placement.start, placement.end) == (anchor.start + len(inserted), anchor.end + len(inserted))


def test_sentence_deleted_before_a_span_moves_it():
    """The third paragraph's first sentence cut: the span in its second sentence moves back by that much."""
    deleted = "Poland is among the neighboring countries that have accepted such refugees. "
    new = BODY.replace(deleted, "")
    anchor = anchor_on(BODY, "Mateusz Morawiecki")
    (placement,) = place(BODY, new, anchor)
    assert placement.outcome == Outcome.MOVED
    assert (placement.start, placement.end) == (anchor.start - len(deleted), anchor.end - len(deleted))
    assert (placement.start, placement.end) == at(new, "Mateusz Morawiecki")


def test_span_whose_sentence_is_deleted_is_orphaned():
    """The sentence holding the span cut: orphaned, keeping its old span; a span elsewhere moves."""
    new = BODY.replace(LIMIT + "\n\n", "")
    gone, kept = anchor_on(BODY, "the daily limit"), anchor_on(BODY, "$100 million")
    placements = place(BODY, new, gone, kept)
    assert placements[0].outcome == Outcome.ORPHANED
    assert placements[1].outcome == Outcome.MOVED
    assert (placements[1].start, placements[1].end) == at(new, "$100 million")


def test_swapped_paragraphs_carry_their_spans():
    """The second and third paragraphs swapped: each span follows its paragraph, never lands elsewhere."""
    new = "\n\n".join([LEAD, POLAND, LIMIT, PLEDGE])
    anchors = [
        anchor_on(BODY, "the daily limit"),
        anchor_on(BODY, "Mateusz Morawiecki"),
        anchor_on(BODY, "Kishida", 1),  # "..., Kishida said." in the LIMIT paragraph
        anchor_on(BODY, "Kishida", 2),  # "Kishida told Polish ..." in the POLAND paragraph
    ]
    kishida_said = at(new, "Kishida said.")[0]
    kishida_told = at(new, "Kishida told")[0]
    expected = [
        at(new, "the daily limit"),
        at(new, "Mateusz Morawiecki"),
        (kishida_said, kishida_said + len("Kishida")),
        (kishida_told, kishida_told + len("Kishida")),
    ]
    placements = place(BODY, new, *anchors)
    for placement, where in zip(placements, expected, strict=True):
        assert placement.outcome in {Outcome.MOVED, Outcome.FUZZY}
        assert (placement.start, placement.end) == where


def test_sentence_rewritten_keeping_no_words_orphans_its_span():
    """The limit sentence said again in other words: nothing of the span is left to place it on."""
    new = BODY.replace(
        LIMIT, "Those arriving as evacuees are exempt from the cap on arrivals, according to the premier."
    )
    (placement,) = place(BODY, new, anchor_on(BODY, "will not count toward the daily limit"))
    assert placement.outcome == Outcome.ORPHANED


def test_lead_rewritten_orphans_its_spans_and_moves_the_rest():
    """A new lead: its span is orphaned; spans further down move by the change in length."""
    new_lead = "Tokyo will open its doors to Ukrainians escaping the war, the government announced in a statement."
    new = BODY.replace(LEAD, new_lead)
    in_lead, below = anchor_on(BODY, "ramps up its humanitarian support"), anchor_on(BODY, "Mateusz Morawiecki")
    placements = place(BODY, new, in_lead, below)
    assert placements[0].outcome == Outcome.ORPHANED
    assert placements[1].outcome == Outcome.MOVED
    shift = len(new_lead) - len(LEAD)
    assert (placements[1].start, placements[1].end) == (below.start + shift, below.end + shift)


def test_near_total_rewrite_moves_nothing():
    """The story rewritten but for its last paragraph: spans in the rewritten text are not moved anywhere."""
    new = "\n\n".join(
        [
            "Tokyo opened its doors to Ukrainians on Wednesday as the war entered its second week.",
            "Officials said arrivals would be exempt from the border cap and that relatives were not required.",
            PLEDGE,
        ]
    )
    anchors = [
        anchor_on(BODY, "Fumio Kishida"),
        anchor_on(BODY, "the daily limit"),
        anchor_on(BODY, "Mateusz Morawiecki"),
        anchor_on(BODY, "international organizations"),
    ]
    placements = place(BODY, new, *anchors)
    assert [p.outcome for p in placements[:3]] == [Outcome.ORPHANED] * 3
    assert placements[3].outcome == Outcome.MOVED
    assert (placements[3].start, placements[3].end) == at(new, "international organizations")


def test_translation_artifact_revised_to_its_correction_is_fixed():
    """ "the citizens of the State of Sakura" revised to its correction: fixed, the span reads "Japanese citizens"."""
    old = VOLUNTEERS
    new = VOLUNTEERS.replace(SAKURA, "Japanese citizens")
    (placement,) = place(old, new, anchor_on(old, SAKURA, correction="Japanese citizens"))
    assert placement.outcome == Outcome.FIXED
    assert placement.quote == "Japanese citizens"
    assert (placement.start, placement.end) == at(new, "Japanese citizens")


def test_correction_already_in_the_body_does_not_count_as_fixed():
    """The correction stood there before, unchanged; the artifact was cut, not corrected: not fixed."""
    old = "Japanese citizens and " + SAKURA + " were asked to leave Ukraine."
    new = "Japanese citizens were asked to leave Ukraine."
    (placement,) = place(old, new, anchor_on(old, SAKURA, correction="Japanese citizens"))
    assert placement.outcome == Outcome.ORPHANED


def test_correction_elsewhere_in_the_body_does_not_count_as_fixed():
    """The artifact reworded to something else while its correction stands, unchanged, in the next sentence."""
    old = VOLUNTEERS + " Japanese citizens have been told not to go."
    new = old.replace(SAKURA, "the public")
    (placement,) = place(old, new, anchor_on(old, SAKURA, correction="Japanese citizens"))
    assert placement.outcome != Outcome.FIXED
    assert placement.quote != "Japanese citizens"


# "Japan" four times: once in each of three sentences after a lead without it, twice in the last.
PLEDGE_SENTENCE = "On Tuesday Japan pledged humanitarian assistance worth $100 million to Ukraine. "
WARNING_SENTENCE = "Tokyo said Japan has already raised its travel warning for Ukraine to the highest level. "
REPEATS = (
    "Russia's invasion of Ukraine entered its second week. "
    + PLEDGE_SENTENCE
    + WARNING_SENTENCE
    + "Germany holds the presidency of the Group of Seven and Japan takes over next year, Japan said."
)


def test_repeated_quote_follows_its_own_occurrence_when_an_earlier_one_is_cut():
    """Anchor on the 2nd "Japan"; the 1st one's sentence cut: it lands on the former 2nd, now the 1st."""
    new = REPEATS.replace(PLEDGE_SENTENCE, "")
    anchor = anchor_on(REPEATS, "Japan", 1)
    (placement,) = place(REPEATS, new, anchor)
    assert placement.outcome == Outcome.MOVED
    assert (placement.start, placement.end) == at(new, "Japan", 0)
    assert (placement.start, placement.end) == (anchor.start - len(PLEDGE_SENTENCE), anchor.end - len(PLEDGE_SENTENCE))


def test_repeated_quote_opening_sentences_that_start_alike():
    """Two sentences open "Japan has"; the first cut: the diff may put the cut after the shared words, so the
    anchor on the 2nd "Japan" may be fuzzy, but it stands on that "Japan", not elsewhere."""
    pledge, warning = "Japan has pledged $100 million to Ukraine. ", "Japan has already raised its travel warning."
    old = "Russia's invasion of Ukraine entered its second week. " + pledge + warning
    new = old.replace(pledge, "")
    (placement,) = place(old, new, anchor_on(old, "Japan", 1))
    assert placement.outcome in {Outcome.MOVED, Outcome.FUZZY}
    assert (placement.start, placement.end) == at(new, "Japan")


def test_repeated_quote_whose_own_sentence_is_cut_is_not_moved_onto_another():
    """Anchor on the 2nd "Japan"; its sentence cut, other "Japan"s remain: never moved, at best fuzzy."""
    new = REPEATS.replace(WARNING_SENTENCE, "")
    (placement,) = place(REPEATS, new, anchor_on(REPEATS, "Japan", 1))
    assert placement.outcome in {Outcome.FUZZY, Outcome.ORPHANED}


def test_quote_whose_own_sentence_is_cut_is_not_certain_on_a_sentence_that_starts_alike():
    """Two sentences open "Japan has said it will"; the first (the anchor's) cut: not unchanged on the second's."""
    lead = "Russia's invasion of Ukraine entered its second week. "
    cut = "Japan has said it will accept refugees from Ukraine. "
    kept = "Japan has said it will send humanitarian aid."
    old, new = lead + cut + kept, lead + kept
    (placement,) = place(old, new, anchor_on(old, "Japan", 0))
    assert placement.outcome in {Outcome.FUZZY, Outcome.ORPHANED}


@pytest.mark.xfail(
    strict=True,
    reason="A known limit: the cut could as well be read as 'accept refugees from Ukraine. Japan has said it "
    "will ' (same length), and the text before the surviving 'Japan' is the cut anchor's; both anchors are "
    "fuzzy on it and the first keeps it. Neither is placed as certain, so a reviewer sees both.",
)
def test_group_keeps_the_span_for_the_anchor_that_stood_there():
    """Both "Japan"s annotated in one group; the first sentence cut: the survivor's own anchor is not orphaned."""
    lead = "Russia's invasion of Ukraine entered its second week. "
    cut = "Japan has said it will accept refugees from Ukraine. "
    kept = "Japan has said it will send humanitarian aid."
    old, new = lead + cut + kept, lead + kept
    anchors = [anchor_on(old, "Japan", 0, group="entity"), anchor_on(old, "Japan", 1, group="entity")]
    placements = place(old, new, *anchors)
    assert placements[1].placed
    assert (placements[1].start, placements[1].end) == at(new, "Japan")


def test_repeated_formula_whose_own_sentence_is_cut_is_not_moved_onto_another():
    """A closing formula said twice (", Kishida said."); the second sentence cut: its span is not moved."""
    old = (
        "Japan will accept people fleeing Ukraine, Kishida said. "
        "Japan will allow in people who have fled Ukraine, Kishida said. "
        "Japan has pledged aid."
    )
    new = old.replace("Japan will allow in people who have fled Ukraine, Kishida said. ", "")
    first, second = anchor_on(old, "Kishida said", 0), anchor_on(old, "Kishida said", 1)
    placements = place(old, new, first, second)
    # The first may be only fuzzy: the cut could as well have taken its "Kishida said. " (the
    # two sentences end alike), and then the text it names would be the cut sentence's.
    assert placements[0].placed
    assert (placements[0].start, placements[0].end) == at(new, "Kishida said")
    assert placements[1].outcome in {Outcome.FUZZY, Outcome.ORPHANED}


@pytest.mark.parametrize(
    ("before", "quote", "after", "inserted"),
    [
        ("Kishida 😀 met ", "Зеленский in Kyiv 🇯🇵", " on Wednesday.", "The flag 🇯🇵 flew. 😀 "),
        ("Le cafe\u0301 de Kyiv: ", "cafe\u0301 au lait", " was served.", "Un autre cafe\u0301. "),
        ("岸田首相は", "ウクライナからの避難民", "を受け入れると述べた。", "日本政府は発表した。"),
        ("Japan will accept refugees.\r\n\r\n", "Kishida said Wednesday", ".\r\nThe end.", "A new paragraph.\r\n\r\n"),
    ],
    ids=["emoji-and-flags", "combining-marks", "cjk-without-spaces", "crlf"],
)
def test_offsets_stay_code_points_in_any_script(before, quote, after, inserted):
    """Text inserted at the start: the span moves by the inserted code points; an edit inside it is fuzzy."""
    old = before + quote + after
    anchor = anchor_on(old, quote)
    (moved,) = place(old, inserted + old, anchor)
    assert moved.outcome == Outcome.MOVED
    assert (moved.start, moved.end) == (anchor.start + len(inserted), anchor.end + len(inserted))

    edited = quote[:-1] + "X" + quote[-1]
    (fuzzy,) = place(old, inserted + before + edited + after, anchor)
    assert fuzzy.outcome in {Outcome.FUZZY, Outcome.ORPHANED}


def test_crlf_is_two_code_points():
    """ "\\r\\n" counts as two: a paragraph of CRLF lines inserted shifts by exactly its code points."""
    old = "\r\n".join([LEAD, "", LIMIT, "", PLEDGE])
    new = old.replace(LIMIT + "\r\n", LIMIT + "\r\n\r\n" + EMBASSY + "\r\n")
    anchor = anchor_on(old, "$100 million")
    (placement,) = place(old, new, anchor)
    shift = len("\r\n" + EMBASSY + "\r\n")
    assert placement.outcome == Outcome.MOVED
    assert (placement.start, placement.end) == (anchor.start + shift, anchor.end + shift)


# A paragraph said twice by mistake; the revision keeps one copy.
DOUBLED = "\n\n".join([LEAD, LIMIT, LIMIT, PLEDGE])
UNDOUBLED = "\n\n".join([LEAD, LIMIT, PLEDGE])


def test_spans_of_one_group_never_share_a_new_span():
    """Both copies of a doubled paragraph in one group: one keeps the surviving copy, the other is orphaned."""
    anchors = [anchor_on(DOUBLED, LIMIT, 0, group="claim"), anchor_on(DOUBLED, LIMIT, 1, group="claim")]
    placements = place(DOUBLED, UNDOUBLED, *anchors)
    assert sorted(p.placed for p in placements) == [False, True]
    (kept,) = [p for p in placements if p.placed]
    assert (kept.start, kept.end) == at(UNDOUBLED, LIMIT)


def test_spans_without_a_group_may_share_a_new_span():
    """The same two copies with group None: no uniqueness to keep, so neither is orphaned for the other."""
    anchors = [anchor_on(DOUBLED, LIMIT, 0), anchor_on(DOUBLED, LIMIT, 1)]
    placements = place(DOUBLED, UNDOUBLED, *anchors)
    assert all(p.placed for p in placements)
    assert {(p.start, p.end) for p in placements} == {at(UNDOUBLED, LIMIT)}


def test_body_emptied_orphans_everything():
    """An empty revision: nothing to place anything on."""
    placements = place(BODY, "", anchor_on(BODY, "Fumio Kishida"), anchor_on(BODY, "$100 million"))
    assert [p.outcome for p in placements] == [Outcome.ORPHANED] * 2


# Property-based: random bodies of a few words (emoji, a flag, a combining mark, CJK, CRLF), random edits.
WORDS = ["Japan", "Kishida", "said", "refugees", "Ukraine", "the", "aid", "Kyiv", "Зеленский"]
WORDS += ["😀", "🇯🇵", "東京", "日本語", "cafe\u0301"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "\r\n"]
EDIT_TEXT = st.text(alphabet=st.sampled_from([*"Japn kid,.\n\r", "😀", "🇯", "🇵", "東", "\u0301"]), max_size=12)
MODEST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def bodies_with_anchors(draw) -> tuple[str, list[Anchor]]:
    """A body of words and separators, with anchors on spans from the start of one word to the end of another."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=40))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    body, bounds = "", []
    for word, sep in zip(words, seps, strict=True):
        bounds.append((len(body), len(body) + len(word)))
        body += word + sep
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, len(words) - 1), st.integers(0, 3)),
            min_size=1,
            max_size=5,
        )
    )
    groups = draw(st.lists(st.sampled_from([None, "g"]), min_size=len(pairs), max_size=len(pairs)))
    anchors, grouped = [], set()
    for n, ((first, extra), group) in enumerate(zip(pairs, groups, strict=True)):
        last = min(first + extra, len(words) - 1)
        start, end = bounds[first][0], bounds[last][1]
        if group is not None:
            if (start, end) in grouped:  # the unique constraint: a group never holds one span twice
                group = None
            grouped.add((start, end))
        prefix, suffix = span_context(body, start, end)
        anchors.append(Anchor(n, start, end, body[start:end], prefix, suffix, group=group))
    return body, anchors


@st.composite
def edits(draw, body: str) -> tuple[int, int, str]:
    """Replace old[a:b] with some text (a pure insertion when a == b, a deletion when the text is empty)."""
    a = draw(st.integers(0, len(body)))
    b = draw(st.integers(a, min(len(body), a + 15)))
    return a, b, draw(EDIT_TEXT)


def apply(body: str, edit: tuple[int, int, str]) -> str:
    a, b, text = edit
    return body[:a] + text + body[b:]


@MODEST
@given(data=st.data(), drawn=bodies_with_anchors())
def test_placements_always_read_the_new_body(data, drawn):
    """Any edits: one placement per anchor in order; placed spans read the new body; certain ones the old quote;
    orphaned ones keep the old span."""
    old, anchors = drawn
    new = old
    for _ in range(data.draw(st.integers(1, 3))):
        new = apply(new, data.draw(edits(new)))
    placements = place(old, new, *anchors)
    for anchor, placement in zip(anchors, placements, strict=True):
        if placement.outcome in PLACED_CERTAIN:
            assert placement.quote == anchor.quote
            assert new[placement.start : placement.end] == anchor.quote
        assert placement.outcome != Outcome.FIXED  # no anchor here has a correction
    spots = [(p.start, p.end) for a, p in zip(anchors, placements, strict=True) if p.placed and a.group == "g"]
    assert len(spots) == len(set(spots))


@MODEST
@given(data=st.data(), drawn=bodies_with_anchors())
def test_an_edit_far_from_a_unique_span_moves_it_exactly(data, drawn):
    """One edit at least 40 code points from a span whose quote occurs once in each body: moved or unchanged,
    at exactly the offsets the edit shifted it to."""
    old, anchors = drawn
    a, b, text = edit = data.draw(edits(old))
    new = apply(old, edit)
    assume(new != old)
    placements = place(old, new, *[anchor for anchor in anchors if anchor.group is None])
    for placement in placements:
        anchor = anchors[placement.key]
        far_before = b <= anchor.start - 40
        far_after = a >= anchor.end + 40
        unique = len(occurrences(old, anchor.quote)) == 1 == len(occurrences(new, anchor.quote))
        if not (unique and (far_before or far_after)):
            continue
        shift = len(text) - (b - a) if far_before else 0
        assert (placement.start, placement.end) == (anchor.start + shift, anchor.end + shift)
        assert placement.outcome == (Outcome.UNCHANGED if shift == 0 else Outcome.MOVED)
