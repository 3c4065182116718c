"""MQM scoring and word counts (domain/quality.py): plain Python, no database."""

import pytest

from annotations.domain.kinds import ArtifactType
from annotations.domain.quality import MQM_ERROR_TYPES, Scoring, count_words, translation_quality

MQM_DEFAULTS = Scoring.of(severity_weights=None, type_weights=None, pass_threshold=99)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Japan, U.S., EU to aid refugees", 6),  # "U.S." and "EU" are words; commas are not
        ("Self-Defense Forces' $17 million", 4),  # hyphenated and possessive words, a price
        ("over 870,000 people — 5 %", 4),  # a dash and a percent sign alone are not words
        ("Kishida 🇯🇵 said 😀", 2),  # emoji are not words
        ("cafe\u0301 e\u0301te\u0301", 2),  # combining accents stay inside their words
        ("Line one\r\nline two\n\nline three", 6),  # any whitespace separates
        ("日本政府は避難民を受け入れる。", 14),  # Japanese: every ideograph and kana a word
        ("Japan 日本 Kishida", 4),  # scripts mixed in one text
        ("国連难民署", 5),  # Chinese likewise
        ("한국 정부는 말했다", 3),  # Korean is written with spaces: its words are counted as such
        ("", 0),
    ],
)
def test_words_are_counted_in_any_script(text, words):
    assert count_words(text) == words


def test_thai_vowel_signs_are_not_words():
    """Thai letters count one each (no spaces, no dictionary); its combining vowel signs do not."""
    assert count_words("กิน") == 2  # ก, the vowel sign ิ (a mark), น


def test_every_artifact_type_has_an_mqm_error_type():
    assert set(MQM_ERROR_TYPES) == {t.value for t in ArtifactType}
    assert MQM_ERROR_TYPES["mistranslation"] == "Accuracy/Mistranslation"
    assert MQM_ERROR_TYPES["untranslated"] == "Accuracy/Untranslated"
    assert MQM_ERROR_TYPES["encoding"] == "Fluency/Character encoding"


def test_a_score_is_100_less_a_tenth_of_the_penalty_per_1000_words():
    # 1 critical (25) + 2 major (10) + 3 minor (3) = 38 points in 2,000 words: 19 per 1,000, 98.1.
    figures = translation_quality(2000, 38, {"minor": 3, "major": 2, "critical": 1}, MQM_DEFAULTS)
    assert figures == {
        "words": 2000,
        "penalty": 38,
        "per_1000_words": 19.0,
        "score": 98.1,
        "passed": False,
        "errors": {"minor": 3, "major": 2, "critical": 1},
    }


def test_the_threshold_decides_pass_at_the_score_shown():
    # 10 points in 1,000 words is exactly 99.0: a pass at the default threshold.
    assert translation_quality(1000, 10, {"major": 2}, MQM_DEFAULTS)["passed"] is True
    assert translation_quality(1000, 11, {"major": 2, "minor": 1}, MQM_DEFAULTS)["passed"] is False
    # 3 points in 3,001 words is 99.9000333...: shown as 99.9, which passes a 99.9 threshold.
    strict = Scoring.of(severity_weights=None, type_weights=None, pass_threshold=99.9)
    assert translation_quality(3001, 3, {"minor": 3}, strict)["passed"] is True


def test_a_score_does_not_go_below_zero_and_a_text_without_words_has_none():
    assert translation_quality(10, 50, {"critical": 2}, MQM_DEFAULTS)["score"] == 0
    assert translation_quality(10, 50, {"critical": 2}, MQM_DEFAULTS)["per_1000_words"] == 5000
    empty = translation_quality(0, 0, {}, MQM_DEFAULTS)
    assert (empty["per_1000_words"], empty["score"], empty["passed"]) == (None, None, None)
    assert empty["errors"] == {"minor": 0, "major": 0, "critical": 0}


def test_weights_come_from_the_settings():
    scoring = Scoring.of(severity_weights={"critical": 10}, type_weights={"boilerplate": 0.5}, pass_threshold=95)
    assert scoring.penalty("boilerplate", "critical") == 5  # 10 x 0.5
    assert scoring.penalty("mistranslation", "major") == 5  # MQM's 5, and types weigh 1 unless named


@pytest.mark.parametrize(
    ("severity_weights", "type_weights", "message"),
    [
        ({"blocker": 100}, None, "No severity is called 'blocker'"),
        (None, {"typo": 1}, "No artifact type is called 'typo'"),
        ({"minor": -1}, None, "The weight of severity 'minor' is negative"),
    ],
)
def test_weights_for_what_does_not_exist_are_refused_by_name(severity_weights, type_weights, message):
    with pytest.raises(ValueError, match=message):
        Scoring.of(severity_weights=severity_weights, type_weights=type_weights, pass_threshold=99)
