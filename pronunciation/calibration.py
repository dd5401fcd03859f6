"""Scores calibrated to expert raters: from evidence to word scores, levels and the overall score.

The numbers live in ``calibration.json`` beside this module, written by
``scripts/fit_calibration.py`` (fitted on real learner speech scored by five
experts; the file also records the cross-validated figures it reached). They
apply to the recognizer they were fitted for (``models``); any other engine keeps
the uncalibrated default of :mod:`analysis_pipeline`.

* **Word**: a logistic regression gives the probability that an expert accepts
  the word (word accuracy >= 7 of 10) from the GOP statistics of its phones
  (``WordEvidence.features``), what the recognizer's transcript says about it
  (:class:`TranscriptMatch`) and the recording's mean GOP. The 0-100 word score
  maps that probability piecewise-linearly so that the fitted thresholds land on
  the level boundaries: ``good_probability`` -> 80 (good), ``close_probability``
  -> 60 (close; below it wrong, the experts' "over 30 % of sounds wrong").
* **Sound**: a linear model of a phone's GOP statistics predicts the experts'
  0-2 phone score; shown as 0-100.
* **Sentence**: a linear model of the word probabilities predicts the experts'
  0-10 sentence accuracy; the overall score is ten times that.

Applied with numpy only: the app does not need the fitting tools.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from speech.transcription import PhoneEvidence, WordEvidence

logger = logging.getLogger(__name__)

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
GOOD_SCORE = 80.0  # word_levels.GOOD_MIN_SCORE: where good_probability maps to
CLOSE_SCORE = 60.0  # word_levels.CLOSE_MIN_SCORE: where close_probability maps to
MAX_SENTENCE_ACCURACY = 10.0
MIN_CONFIDENCE = 1e-3  # floor of the recognizer's word confidence before its logarithm
MIN_PROBABILITY = 1e-3  # floor of a word probability before its logarithm
OTHER_WORD_MIN_CONFIDENCE = 0.5  # transcript confidence from which "another word was said" counts

MatchKind = Literal["match", "substitution", "deletion"]


@dataclass(frozen=True)
class TranscriptMatch:
    """What the transcript says about one reference word.

    ``kind``: the transcript has the word (match), another word in its place
    (substitution) or nothing (deletion); ``confidence``: the recognizer's 0-1
    confidence in the word it wrote there (0 for a deletion); ``similarity``: 0-1
    spelling similarity of that word to the expected one (1 for a match).
    """

    kind: MatchKind
    confidence: float = 0.0
    similarity: float = 0.0
    agreement: float = 0.0  # -1..1: the scorer's heard sounds are closer to the written word (> 0)


@dataclass(frozen=True)
class LinearModel:
    """``intercept + sum(coefficient * (value - mean) / scale)`` over named features."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearModel:
        features = tuple(str(f) for f in data["features"])
        n = len(features)
        model = cls(
            features=features,
            coefficients=tuple(float(c) for c in data["coefficients"]),
            intercept=float(data["intercept"]),
            mean=tuple(float(m) for m in data.get("mean", [0.0] * n)),
            scale=tuple(float(s) for s in data.get("scale", [1.0] * n)),
        )
        if not (len(model.coefficients) == len(model.mean) == len(model.scale) == n):
            raise ValueError("feature, coefficient, mean and scale lists differ in length")
        if any(s <= 0 for s in model.scale):
            raise ValueError("scales must be positive")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }

    def value(self, values: Mapping[str, float]) -> float:
        total = self.intercept
        for name, coefficient, mean, scale in zip(self.features, self.coefficients, self.mean, self.scale):
            total += coefficient * (float(values.get(name, mean)) - mean) / scale
        return total

    def probability(self, values: Mapping[str, float]) -> float:
        """The logistic of :meth:`value`."""
        z = self.value(values)
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class Calibration:
    """Fitted models and thresholds for one recognizer (see the module docstring)."""

    models: tuple[str, ...]
    word: LinearModel
    good_probability: float
    close_probability: float
    phone: LinearModel
    sentence: LinearModel
    fitted: str = ""
    figures: Mapping[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        levels = data["levels"]
        good, close = float(levels["good_probability"]), float(levels["close_probability"])
        if not 0.0 < close < good < 1.0:
            raise ValueError("thresholds must satisfy 0 < close_probability < good_probability < 1")
        return cls(
            models=tuple(str(m) for m in data["models"]),
            word=LinearModel.from_dict(data["word"]),
            good_probability=good,
            close_probability=close,
            phone=LinearModel.from_dict(data["phone"]),
            sentence=LinearModel.from_dict(data["sentence"]),
            fitted=str(data.get("fitted", "")),
            figures=data.get("figures"),
        )

    def applies_to(self, model_name: str) -> bool:
        return model_name in self.models

    def word_probability(self, features: Mapping[str, float]) -> float:
        """P(an expert accepts the word), from :func:`word_features`."""
        return self.word.probability(features)

    def word_score(self, probability: float) -> float:
        """0-100: 0 -> 0, close_probability -> 60, good_probability -> 80, 1 -> 100, linear between."""
        p = min(1.0, max(0.0, probability))
        knots = ((0.0, 0.0), (self.close_probability, CLOSE_SCORE), (self.good_probability, GOOD_SCORE), (1.0, 100.0))
        for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
            if p <= x1:
                return y0 + (y1 - y0) * (p - x0) / (x1 - x0)
        return 100.0

    def judged_score(self, features: Mapping[str, float], probability: float | None = None) -> float:
        """The word's 0-100 score: :meth:`word_score`, kept under good when another word was said.

        "Another word" (the experts' 2-3 band) is not left to the fitted model alone: when the
        transcript confidently has another word there and the sounds the GOP scorer heard are
        closer to that word than to the expected one, the word is at most "close".
        """
        p = self.word_probability(features) if probability is None else probability
        score = self.word_score(p)
        if another_word_said(features):
            score = min(score, GOOD_SCORE - 1.0)
        return score

    def phone_score(self, phone: PhoneEvidence, word_probability: float) -> float:
        """0-100 from the phone's GOP statistics and its word's probability (experts' 0-2 scale, stretched)."""
        predicted = self.phone.value({**phone.features, "word_probability": word_probability})  # 0-2
        return 50.0 * min(2.0, max(0.0, predicted))

    def sentence_score(self, features: Mapping[str, float]) -> float:
        """0-100 from :func:`sentence_features` (ten times the predicted 0-10 expert accuracy)."""
        predicted = self.sentence.value(features)
        return 10.0 * min(MAX_SENTENCE_ACCURACY, max(0.0, predicted))


def word_features(evidence: WordEvidence, match: TranscriptMatch, recording_gop_mean: float) -> dict[str, float]:
    """The calibration's inputs for one word: the scorer's statistics plus the transcript's view."""
    features = dict(evidence.features)
    confidence = min(1.0, max(0.0, float(match.confidence)))
    exact = 1.0 if match.kind == "match" else 0.0
    features.update(
        heard_exact=exact,
        heard_other=1.0 if match.kind == "substitution" else 0.0,
        heard_confidence=confidence,
        heard_log_confidence=math.log(max(confidence, MIN_CONFIDENCE)),
        heard_exact_confidence=exact * confidence,
        heard_similarity=float(match.similarity),
        heard_agreement=float(match.agreement),
        recording_gop_mean=float(recording_gop_mean),
    )
    if "gop_min" in features:
        features["gop_min_vs_recording"] = features["gop_min"] - recording_gop_mean
    return features


def another_word_said(features: Mapping[str, float]) -> bool:
    """Both recognizers point to the same other word (see :meth:`Calibration.judged_score`)."""
    return (
        features.get("heard_other", 0.0) > 0.0
        and features.get("heard_confidence", 0.0) >= OTHER_WORD_MIN_CONFIDENCE
        and features.get("heard_agreement", 0.0) > 0.0
    )


def recording_gop_mean(evidence: Sequence[WordEvidence]) -> float:
    """Mean over words of their mean phone log-posterior (0.0 when no word has statistics)."""
    values = [e.features["gop_mean"] for e in evidence if "gop_mean" in e.features]
    return float(sum(values) / len(values)) if values else 0.0


def sentence_features(
    word_probabilities: Sequence[float], words: Sequence[Mapping[str, float]], n_extra_words: int
) -> dict[str, float]:
    """The sentence model's inputs: the word probabilities, the recording's GOP and transcript averages."""
    n = len(word_probabilities)
    if not n:
        return {}
    phones = sum(w.get("phones", 0.0) for w in words)

    def mean(name: str) -> float:
        values = [w[name] for w in words if name in w]
        return float(sum(values) / len(values)) if values else 0.0

    return {
        "word_probability_mean": float(sum(word_probabilities) / n),
        "word_probability_min": float(min(word_probabilities)),
        "word_log_probability_mean": float(sum(math.log(max(p, MIN_PROBABILITY)) for p in word_probabilities) / n),
        "extra_word_rate": float(n_extra_words) / n,
        "good_phone_share": (
            float(sum(w.get("good_phone_share", 0.0) * w.get("phones", 0.0) for w in words) / phones) if phones else 0.0
        ),
        "margin_mean": mean("margin_mean"),
        "posterior_mean": mean("posterior_mean"),
        "heard_confidence": mean("heard_confidence"),
        "free_decoding_errors": mean("free_decoding_errors"),
        "words": float(n),
    }


@functools.lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration | None:
    """The calibration in ``path``; None (and one log line) when it is missing or malformed."""
    try:
        with open(path, encoding="utf-8") as handle:
            return Calibration.from_dict(json.load(handle))
    except FileNotFoundError:
        logger.info("no calibration file at %s: uncalibrated scores", path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("calibration file %s unusable (%s): uncalibrated scores", path, error)
    return None


def calibration_for(model_name: str, path: Path = CALIBRATION_FILE) -> Calibration | None:
    """The calibration fitted for ``model_name``, or None when that engine has none."""
    calibration = load_calibration(path)
    return calibration if calibration is not None and calibration.applies_to(model_name) else None
