"""Which of a claim's words find its candidates (domain/similarity.py): the rarest that another
claim has too."""

from annotations.domain.similarity import COUNT_CAP, probes, words


def test_words_are_runs_of_letters_and_digits_lowercased():
    assert words("Japan's 870,000 refugees — in Lviv!") == {"japan", "s", "870", "000", "refugees", "in", "lviv"}


def test_the_words_in_fewest_claims_probe_and_a_short_rare_name_beats_a_long_common_word():
    claims_with = {"government": 900, "embassy": 12, "offices": 40, "moved": 300, "lviv": 3, "the": COUNT_CAP + 1}
    assert probes(claims_with) == ["lviv", "embassy", "offices", "moved"]


def test_common_words_probe_only_when_the_claim_has_no_rarer_shared_word():
    common = COUNT_CAP + 1
    assert probes({"schroedershire": 3, "temporary": common, "move": common, "will": common}) == ["schroedershire"]
    assert probes({"kuleba": 1, "temporary": common, "move": common}) == ["temporary", "move"]


def test_a_word_no_other_claim_has_is_no_probe():
    """Counted with the claim itself: 1 is the claim alone (a typo, a name said nowhere else)."""
    assert probes({"kuleba": 1, "lviv": 2, "government": 50}) == ["lviv", "government"]


def test_among_equally_common_words_the_longer_probes():
    common = COUNT_CAP + 1
    assert probes({"japan": common, "refugees": common, "accept": common, "to": common, "fleeing": common}) == [
        "refugees",
        "fleeing",
        "accept",
        "japan",
    ]


def test_a_claim_without_shared_words_has_no_probes():
    assert probes({word: 1 for word in words("— 🇯🇵 Kuleba —")}) == []
