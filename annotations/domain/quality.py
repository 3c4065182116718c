"""Translation quality, MQM style: words counted, errors weighed, a score against a threshold.

The scoring model is MQM's linear one: each approved translation artifact
costs its severity's weight times its type's weight (the Absolute Penalty
Total); normed to 1,000 words, and the score is 100 less a tenth of that
(100 x (1 - penalty / words): a critical error, 25 points, in a 2,500-word
text scores 99). Weights and the pass threshold are settings
(project/settings.py, MQM_*); MQM's defaults are 1, 5 and 25 and a weight of 1
for every error type.

Words are counted so that languages written without spaces are counted too:
each character of a script written without spaces between words (Chinese
and Japanese ideographs, kana, and Thai, Lao, Khmer and Myanmar letters)
counts as one word, as translation tools count Chinese and Japanese and as
Unicode's default word boundaries (UAX #29) split ideographs; the rest of the
text counts a word for each run between spaces that holds a letter or a
digit ("U.S.", "Self-Defense", "$17" and "870,000" are one word each, a dash
or an emoji alone none). Thai, Lao, Khmer and Myanmar run several letters to
a word, so their count is high (scores lenient) until a dictionary segmenter
is worth its weight.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .kinds import ArtifactType, Severity

# Characters of scripts written without spaces between words (see the module's docstring).
_UNSPACED = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana and its extension
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs, extension A, compatibility
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B to G
    "]"
)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def count_words(text: str) -> int:
    """The number of words in `text`, in any script (the module's docstring says how)."""
    unspaced = 0

    def blank(match: re.Match) -> str:
        nonlocal unspaced
        unspaced += match.group().isalnum()  # a vowel sign or a punctuation mark is not a word
        return " "

    spaced = _UNSPACED.sub(blank, text)
    return unspaced + sum(1 for token in spaced.split() if _LETTER_OR_DIGIT.search(token))


# Each artifact type as the MQM error type it is (MQM's typology: dimension/type[/subtype]).
MQM_ERROR_TYPES: dict[str, str] = {
    ArtifactType.MISTRANSLATION: "Accuracy/Mistranslation",
    ArtifactType.WRONG_REFERENT: "Accuracy/Mistranslation/Entity",
    ArtifactType.LITERAL_RENDERING: "Accuracy/Mistranslation/Overly literal",
    ArtifactType.UNTRANSLATED: "Accuracy/Untranslated",
    ArtifactType.OMISSION: "Accuracy/Omission",
    ArtifactType.ADDITION: "Accuracy/Addition",
    # Page furniture scraped with the text: content that is not the source's.
    ArtifactType.BOILERPLATE: "Accuracy/Addition",
    ArtifactType.GRAMMAR: "Fluency/Grammar",
    ArtifactType.TERMINOLOGY: "Terminology",
    ArtifactType.ENCODING: "Fluency/Character encoding",
}

# MQM's severity multipliers and the score's scale.
DEFAULT_SEVERITY_WEIGHTS: dict[str, float] = {Severity.MINOR: 1, Severity.MAJOR: 5, Severity.CRITICAL: 25}
REFERENCE_WORDS = 1000
MAXIMUM_SCORE = 100


@dataclass(frozen=True)
class Scoring:
    """The weights and the pass threshold a score is computed with."""

    severity_weights: Mapping[str, float]
    type_weights: Mapping[str, float]  # a type not named weighs 1
    pass_threshold: float

    @classmethod
    def of(cls, *, severity_weights: Mapping | None, type_weights: Mapping | None, pass_threshold: float) -> "Scoring":
        """A scoring from settings, refusing by name a weight for a severity or type that does not exist."""
        # Plain strings for keys (str() of an enum member is its value), so that messages read well.
        severities = {
            str(name): weight for name, weight in {**DEFAULT_SEVERITY_WEIGHTS, **(severity_weights or {})}.items()
        }
        _check_names("severity", severities, Severity)
        _check_names("artifact type", type_weights or {}, ArtifactType)
        return cls(
            severity_weights={name: float(weight) for name, weight in severities.items()},
            type_weights={name: float(weight) for name, weight in (type_weights or {}).items()},
            pass_threshold=float(pass_threshold),
        )

    def penalty(self, artifact_type: str, severity: str) -> float:
        """What one error of this type and severity costs."""
        return self.severity_weights[severity] * self.type_weights.get(artifact_type, 1.0)


def _check_names(what: str, weights: Mapping, names) -> None:
    unknown = sorted(set(weights) - {member.value for member in names})
    if unknown:
        raise ValueError(f"No {what} is called {unknown[0]!r}: one of {', '.join(m.value for m in names)}.")
    negative = sorted(name for name, weight in weights.items() if float(weight) < 0)
    if negative:
        raise ValueError(f"The weight of {what} {negative[0]!r} is negative.")


def translation_quality(words: int, penalty: float, errors: Mapping[str, int], scoring: Scoring) -> dict:
    """An article's figures as the API gives them (API.md, "Translation quality"), from its
    words, its penalty points and its errors counted by severity. A text with no words has no
    score: `per_1000_words`, `score` and `passed` are null."""
    if words <= 0:
        figures = {"per_1000_words": None, "score": None, "passed": None}
    else:
        # Not below 0 (more penalty points than words): per_1000_words tells how far below.
        # Rounded as shown, so that a score shown as the threshold passes.
        score = round(max(0.0, MAXIMUM_SCORE * (1 - penalty / words)), 2)
        figures = {
            "per_1000_words": round(penalty * REFERENCE_WORDS / words, 2),
            "score": score,
            "passed": score >= scoring.pass_threshold,
        }
    by_severity = {severity.value: int(errors.get(severity.value, 0)) for severity in Severity}
    return {"words": words, "penalty": round(penalty, 4), **figures, "errors": by_severity}


def passing_raw_score(threshold: float) -> float:
    """The lowest raw score (the double 100 x (1 - penalty / words), before rounding) that passes
    `threshold` as domain.quality.translation_quality decides: rounded to 2 decimals, at least
    the threshold.

    The rounded score passes from the fewest hundredths (`cents`) whose double reaches the
    threshold, and a raw score rounds to those or more when it lies above half a hundredth
    below them (or on it, where that half is itself a double and rounding half to even goes
    up). The list's filter compares the raw score, computed in SQL by the same double
    operations, with this bound: so it agrees with each row's badge even on the boundary,
    where a bound on the per 1,000 words (rounded apart from the score) would not."""
    cents = math.floor(Fraction(threshold) * 100)
    while float(Fraction(cents, 100)) < threshold:
        cents += 1
    half_below = Fraction(cents, 100) - Fraction(1, 200)
    bound = float(half_below)
    if Fraction(bound) < half_below or (Fraction(bound) == half_below and cents % 2):
        bound = math.nextafter(bound, math.inf)
    return bound
