"""The calibration: loading the fitted JSON, applying it, and score_words with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analysis_pipeline import calibration_inputs, score_words
from pronunciation import calibration as calibration_module
from pronunciation.calibration import (
    CALIBRATION_FILE,
    Calibration,
    LinearModel,
    TranscriptMatch,
    another_word_said,
    calibration_for,
    load_calibration,
    word_features,
)
from pronunciation.phonetics import g2p
from speech.transcription import PhoneEvidence, Transcription, WordEvidence, WordSegment

MODEL = "test-engine"


def calibration_dict(**changes: Any) -> dict[str, Any]:
    """A readable toy calibration: a word is accepted when its GOP is high and the transcript has it."""
    data: dict[str, Any] = {
        "models": [MODEL],
        "word": {"features": ["gop_min", "heard_exact"], "coefficients": [2.0, 3.0], "intercept": 0.0,
                 "mean": [-1.0, 0.5], "scale": [1.0, 0.5]},
        "levels": {"good_probability": 0.7, "close_probability": 0.3},
        "phone": {"features": ["log_posterior", "word_probability"], "coefficients": [0.5, 0.5], "intercept": 1.0,
                  "mean": [-1.0, 0.5], "scale": [1.0, 0.25]},
        "sentence": {"features": ["word_probability_mean"], "coefficients": [2.0], "intercept": 7.0,
                     "mean": [0.8], "scale": [0.1]},
        "fitted": "2026-12-04",
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


@pytest.fixture
def toy_calibration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Calibration:
    path = write(tmp_path, calibration_dict())
    load_calibration.cache_clear()
    monkeypatch.setattr(calibration_module, "CALIBRATION_FILE", path)
    monkeypatch.setattr(calibration_module.calibration_for, "__defaults__", (path,))
    yield load_calibration(path)
    load_calibration.cache_clear()


def test_the_shipped_calibration_loads_and_records_its_cross_validated_figures() -> None:
    calibration = load_calibration(CALIBRATION_FILE)
    assert calibration is not None
    assert calibration.models and calibration.fitted
    assert 0 < calibration.close_probability < calibration.good_probability < 1
    figures = calibration.figures["cross_validated"]
    assert figures["grouped_by"] == "speaker" and figures["folds"] >= 2
    assert 0.5 < figures["word_auc"] <= 1.0


def test_missing_or_malformed_files_give_no_calibration(tmp_path: Path) -> None:
    assert load_calibration(tmp_path / "absent.json") is None
    assert load_calibration(write(tmp_path, "{not json")) is None
    bad_levels = calibration_dict(levels={"good_probability": 0.2, "close_probability": 0.5})
    assert load_calibration(write(tmp_path, bad_levels)) is None
    short = calibration_dict()
    short["word"]["coefficients"] = [1.0]
    assert load_calibration(write(tmp_path, short)) is None


def test_linear_model_standardises_then_weights() -> None:
    model = LinearModel.from_dict({"features": ["a", "b"], "coefficients": [2.0, -1.0], "intercept": 0.5,
                                   "mean": [1.0, 0.0], "scale": [2.0, 1.0]})
    assert model.value({"a": 3.0, "b": 1.0}) == pytest.approx(0.5 + 2.0 * 1.0 - 1.0)
    assert model.value({}) == pytest.approx(0.5), "a missing feature counts as its mean"
    assert model.probability({"a": 1.0, "b": 0.0}) == pytest.approx(1 / (1 + 2.718281828 ** -0.5), rel=1e-6)


def test_word_score_puts_the_thresholds_on_the_level_boundaries(toy_calibration: Calibration) -> None:
    assert toy_calibration.word_score(0.0) == 0.0
    assert toy_calibration.word_score(0.3) == pytest.approx(60.0)
    assert toy_calibration.word_score(0.7) == pytest.approx(80.0)
    assert toy_calibration.word_score(1.0) == pytest.approx(100.0)
    assert toy_calibration.word_score(0.85) == pytest.approx(90.0)


def test_applies_only_to_the_model_it_was_fitted_for(toy_calibration: Calibration) -> None:
    assert calibration_for(MODEL) is toy_calibration
    assert calibration_for("facebook/wav2vec2-base-960h") is None


def _evidence(word: str, gop: float, phones: tuple[str, ...]) -> WordEvidence:
    phone_evidence = tuple(PhoneEvidence(p, p, 0.9, features={"log_posterior": gop}) for p in phones)
    return WordEvidence(word, True, 0.0, 0.5, 0.9, phones=phone_evidence, pronunciation=phones,
                        features={"gop_min": gop, "gop_mean": gop})


def test_word_features_add_what_the_transcript_says() -> None:
    features = word_features(_evidence("ship", -0.5, ("ʃ", "ɪ", "p")), TranscriptMatch("substitution", 0.4, 0.75), -1.0)
    assert features["heard_exact"] == 0.0 and features["heard_other"] == 1.0
    assert features["heard_confidence"] == 0.4 and features["heard_similarity"] == 0.75
    assert features["gop_min_vs_recording"] == pytest.approx(0.5)


def test_score_words_uses_the_calibration_for_its_engine(toy_calibration: Calibration) -> None:
    prons = g2p("the ship left")
    words = [WordSegment("the", 0.0, 0.2, 0.9), WordSegment("sheep", 0.2, 0.6, 0.8), WordSegment("left", 0.6, 1.0, 0.95)]
    evidence = [
        _evidence("the", -0.2, ("ð", "ə")),
        _evidence("ship", -4.0, ("ʃ", "ɪ", "p")),  # low GOP and the transcript heard another word
        _evidence("left", -0.1, ("l", "ɛ", "f", "t")),
    ]
    transcription = Transcription("the sheep left", words=words, model_name=MODEL, engine="offline")
    result = score_words("the ship left", prons, transcription, evidence)
    levels = [w.level for w in result.words]
    assert levels[0] == "good" and levels[2] == "good"
    assert result.words[1].status == "mispronounced" and levels[1] == "wrong"
    assert result.words[1].heard_word == "sheep"
    assert all(len(w.sounds) == len(e.phones) for w, e in zip(result.words, evidence))
    assert all(0 <= s.score <= 100 for w in result.words for s in w.sounds)
    features, extra = calibration_inputs(prons, transcription, evidence)
    probabilities = [toy_calibration.word_probability(f) for f in features]
    assert extra == 0
    expected_score = toy_calibration.sentence_score({"word_probability_mean": sum(probabilities) / 3})
    assert result.score == round(expected_score)


def test_other_engines_keep_the_uncalibrated_scores(toy_calibration: Calibration) -> None:
    prons = g2p("ship")
    transcription = Transcription("ship", words=[WordSegment("ship", 0.0, 0.5, 0.9)], model_name="other")
    result = score_words("ship", prons, transcription, [_evidence("ship", -4.0, ("ʃ", "ɪ", "p"))])
    assert result.words[0].score == 90, "100 x the evidence's 0-1 score"
    assert result.score == 90


def test_a_word_judged_good_is_never_missing(toy_calibration: Calibration) -> None:
    prons = g2p("ship")
    transcription = Transcription("ship", words=[WordSegment("ship", 0.0, 0.5, 0.9)], model_name=MODEL)
    faint = WordEvidence("ship", False, 0.0, 0.5, 0.01, pronunciation=("ʃ", "ɪ", "p"),
                         features={"gop_min": 0.0, "gop_mean": 0.0})
    result = score_words("ship", prons, transcription, [faint])
    assert result.words[0].level == "good" and result.words[0].status == "correct"
    silent = WordEvidence("ship", False, 0.0, 0.0, 0.0, features={"gop_min": -9.0, "gop_mean": -9.0})
    nothing = Transcription("", words=[], model_name=MODEL)
    assert score_words("ship", prons, nothing, [silent]).words[0].status == "missing"


def test_another_word_said_by_both_recognizers_is_never_good(toy_calibration: Calibration) -> None:
    features = {"gop_min": 2.0, "heard_exact": 1.0}
    assert toy_calibration.judged_score(features) >= 80
    other = {**features, "heard_other": 1.0, "heard_confidence": 0.9, "heard_agreement": 0.33}
    assert another_word_said(other)
    assert toy_calibration.judged_score(other) < 80
    unsure = {**other, "heard_confidence": 0.3}
    assert not another_word_said(unsure), "a hesitant transcript alone does not overrule the fit"
    assert not another_word_said({**other, "heard_agreement": -0.2}), "the sounds must side with the other word"


def test_score_words_flags_a_word_both_recognizers_hear_as_another(toy_calibration: Calibration) -> None:
    prons = g2p("ship")
    transcription = Transcription("sheep", words=[WordSegment("sheep", 0.0, 0.5, 0.9)], model_name=MODEL)
    said_sheep = WordEvidence("ship", True, 0.0, 0.5, 0.9, heard_phonemes=("ʃ", "i", "p"),
                              pronunciation=("ʃ", "ɪ", "p"), features={"gop_min": 2.0, "gop_mean": 2.0})
    word = score_words("ship", prons, transcription, [said_sheep]).words[0]
    assert word.status == "mispronounced" and word.heard_word == "sheep"
