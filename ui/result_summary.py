"""What the results page says first: the overall score's parts and a one-line verdict.

Works on an analysis result as a dict (``AnalysisResult.to_dict()``, or one read back from
storage), so the page, tests and any other view share the same wording. The verdict never
says "Excellent" while a word is flagged or the check is unsure (a noisy or quiet recording,
extra words, or a word just over the line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from analysis_pipeline import EXTRA_WORD_PENALTY, MAX_EXTRA_WORD_PENALTY
from pronunciation.word_levels import GOOD_MIN_SCORE

BORDERLINE_MARGIN = 5  # a "good" word within this many points of the line is not a sure pass
MAX_NAMED_WORDS = 3
# Recognizers whose green words are no guarantee (README, "Accuracy, measured").
WEAK_MODELS = frozenset({"pocketsphinx-en-us"})

VerdictKind = Literal["excellent", "passed_unsure", "work", "many", "something_else", "nothing"]


@dataclass(frozen=True)
class ScoreParts:
    """How the overall score was reached: mean word score minus the extra-word penalty."""

    score: int
    word_mean: float
    words: int
    missing: int
    extra_words: tuple[str, ...]
    penalty: float

    @property
    def adds_up(self) -> bool:
        """True when the parts give the score (a calibrated score may be computed otherwise)."""
        return abs(max(0.0, self.word_mean - self.penalty) - self.score) <= 1.0


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    text: str


def _words(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    words = result.get("words")
    return [w for w in words if isinstance(w, Mapping)] if isinstance(words, list) else []


def score_parts(result: Mapping[str, Any]) -> ScoreParts:
    words = _words(result)
    extra = tuple(str(w) for w in result.get("extra_words") or ())
    mean = sum(float(w.get("score") or 0) for w in words) / len(words) if words else 0.0
    return ScoreParts(
        score=int(result.get("score") or 0),
        word_mean=round(mean, 1),
        words=len(words),
        missing=sum(w.get("status") == "missing" for w in words),
        extra_words=extra,
        penalty=min(MAX_EXTRA_WORD_PENALTY, EXTRA_WORD_PENALTY * len(extra)),
    )


def flagged_words(result: Mapping[str, Any]) -> list[str]:
    return [str(w.get("word", "")) for w in _words(result) if w.get("status") != "correct"]


def unsure_reasons(result: Mapping[str, Any]) -> list[str]:
    """Why a clean sheet is not a sure pass; empty when it is."""
    reasons = []
    if result.get("model") in WEAK_MODELS:
        reasons.append("the small offline recognizer (pocketsphinx) misses many swapped sounds")
    if result.get("warnings"):
        reasons.append("the recording was not very clear")
    if result.get("extra_words"):
        reasons.append("extra words were heard")
    if any(
        w.get("status") == "correct" and float(w.get("score") or 0) < GOOD_MIN_SCORE + BORDERLINE_MARGIN
        for w in _words(result)
    ):
        reasons.append("some words only just passed")
    return reasons


def _quoted(words: Sequence[str]) -> str:
    shown = [f"“{w}”" for w in words[:MAX_NAMED_WORDS]]
    more = len(words) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more} more" if more > 0 else text


def verdict(result: Mapping[str, Any]) -> Verdict:
    """One line a learner reads first."""
    words = _words(result)
    if result.get("read_something_else"):
        return Verdict("something_else", "This did not sound like the sentence, so it was not scored.")
    if not words:
        return Verdict("nothing", "There was nothing to score.")
    flagged = flagged_words(result)
    if flagged and all(w.get("status") == "missing" for w in words):
        return Verdict("nothing", "No word of the sentence was heard. Read the whole sentence aloud, close to the microphone.")
    if flagged:
        if len(flagged) * 2 > len(words):
            return Verdict("many", f"{len(flagged)} of {len(words)} words need work: {_quoted(flagged)}. "
                                   "Listen to the slow example, then try again.")
        noun = "word" if len(flagged) == 1 else "words"
        return Verdict("work", f"Nearly there: {len(flagged)} {noun} to work on: {_quoted(flagged)}.")
    reasons = unsure_reasons(result)
    if reasons:
        return Verdict("passed_unsure", "Every word passed, but " + " and ".join(reasons)
                       + ". Listen back and compare with the example.")
    return Verdict("excellent", "Excellent! Every word sounded right. Try a harder sentence next.")
