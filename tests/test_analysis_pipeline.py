"""Scoring rules of the analysis pipeline, and its command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from analysis_pipeline import AnalysisPipeline, score_words
from asr_model import OFFLINE_MODEL, ASRModelManager
from pronunciation.phonetics import g2p
from speech.transcription import Transcription, WordEvidence, WordSegment

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"


def _transcript(text: str) -> Transcription:
    return Transcription(text=text, words=[WordSegment(w, 0.0, 0.1) for w in text.split()], model_name="t")


def _evidence(word: str, score: float, found: bool = True, heard: tuple[str, ...] = ()) -> WordEvidence:
    return WordEvidence(word, found, 0.0, 0.1, score, (), heard)


def test_uppercase_transcript_of_a_perfect_reading_scores_100() -> None:
    prons = g2p("The ship is here")
    result = score_words("The ship is here", prons, _transcript("THE SHIP IS HERE"), [])
    assert result.score == 100
    assert result.metrics.word_accuracy == 100.0
    assert result.metrics.wer == 0.0 and result.metrics.phoneme_error_rate == 0.0
    assert [w.status for w in result.words] == ["correct"] * 4


def test_transcript_only_substitution_counts_phoneme_errors_properly() -> None:
    prons = g2p("ship")
    result = score_words("ship", prons, _transcript("sheep"), [])
    ship = result.words[0]
    assert ship.status == "mispronounced"
    assert ship.heard_phonemes == ["ʃ", "i", "p"]
    assert [(e.kind, e.expected, e.heard) for e in ship.phone_errors] == [("substitution", "ɪ", "i")]
    assert result.metrics.phoneme_error_rate == pytest.approx(1 / 3, abs=1e-3)


def test_insertions_are_counted_in_per_and_extra_words_listed() -> None:
    prons = g2p("cat")
    # the evidence says the word was said as /k æ t s/: one inserted phoneme
    evidence = [_evidence("cat", 0.5, heard=("k", "æ", "t", "s"))]
    result = score_words("cat", prons, _transcript("cats please"), evidence)
    assert result.words[0].phone_errors[0].kind == "insertion"
    assert result.metrics.phoneme_error_rate == pytest.approx(1 / 3, abs=1e-3)
    assert result.extra_words == ["please"]
    assert result.metrics.insertions == 1


def test_evidence_overrules_a_recognizer_that_corrected_the_word() -> None:
    prons = g2p("the ship")
    evidence = [_evidence("the", 0.95), _evidence("ship", 0.2, heard=("ʃ", "i", "p"))]
    result = score_words("the ship", prons, _transcript("the ship"), evidence)
    ship = result.words[1]
    assert ship.transcript_op == "match", "the recognizer heard the intended word"
    assert ship.status == "mispronounced" and ship.level == "wrong"
    assert ship.phone_errors[0].expected == "ɪ" and ship.phone_errors[0].heard == "i"


def test_missing_word_scores_zero_and_lowers_completeness() -> None:
    prons = g2p("please come here")
    evidence = [_evidence("please", 0.9), _evidence("come", 0.0, found=False), _evidence("here", 0.9)]
    result = score_words("please come here", prons, _transcript("please here"), evidence)
    come = result.words[1]
    assert come.status == "missing" and come.score == 0 and come.heard_phonemes == []
    assert result.metrics.completeness == pytest.approx(66.7)
    assert result.score == round((90 + 0 + 90) / 3)


def test_stress_marks_do_not_make_identical_words_differ() -> None:
    prons = g2p("photograph")
    assert any(mark in prons[0].ipa for mark in "ˈˌ")
    result = score_words("photograph", prons, _transcript("photograph"), [])
    assert result.words[0].phone_errors == []


def test_extra_words_cost_three_points_each() -> None:
    prons = g2p("yes")
    result = score_words("yes", prons, _transcript("yes yes yes"), [])
    assert result.score == 100 - 2 * 3


def test_result_dict_has_the_documented_keys() -> None:
    prons = g2p("hello world")
    data = score_words("hello world", prons, _transcript("hello world"), []).to_dict()
    for key in ("reference_text", "transcript", "model", "score", "metrics", "words", "extra_words"):
        assert key in data
    assert set(data["metrics"]) >= {"word_accuracy", "wer", "phoneme_error_rate", "completeness"}
    assert set(data["words"][0]) >= {"word", "status", "expected_phonemes", "heard_phonemes", "score"}
    json.dumps(data)


def test_pipeline_runs_on_real_speech_with_the_offline_engine() -> None:
    manager = ASRModelManager(default_model=OFFLINE_MODEL, device="cpu")
    manager.load_model(OFFLINE_MODEL)
    result = AnalysisPipeline(manager).run(str(SPEECH / "think_correct_rms.wav"), "I think we should go home now")
    assert result.engine == "offline"
    assert result.score >= 80
    assert set(result.stage_ms) == {"g2p", "audio", "model", "scoring", "feedback"}


# -- command line --------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "analysis_pipeline", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_prints_one_json_object() -> None:
    # pocketsphinx: it flags this synthetic swap; the bundled engine's expert-calibrated scores let most
    # synthetic minimal-pair swaps through (README, "The synthetic regression guard")
    run = _cli(
        str(SPEECH / "ship_swapped_slt.wav"), "The ship left the harbor at noon", "--model", "offline-pocketsphinx"
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["model"] and data["reference_text"] == "The ship left the harbor at noon"
    ship = next(w for w in data["words"] if w["word"] == "ship")
    assert ship["status"] == "mispronounced"
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("audio", "reference", "message"),
    [
        ("ship_correct_slt.wav", "", "type"),
        ("ship_correct_slt.wav", "?!...", "punctuation"),
        ("missing-file.wav", "hello", "find"),
    ],
)
def test_cli_rejects_unusable_input_with_exit_2(audio: str, reference: str, message: str) -> None:
    run = _cli(str(SPEECH / audio), reference, "--model", "offline")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0].lower()
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_cli_batch_keeps_order_and_goes_on_after_errors(tmp_path: Path) -> None:
    noise = tmp_path / "noise.wav"
    noise.write_bytes(np.random.default_rng(0).bytes(3000))
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16_000, dtype=np.float32), 16_000)
    batch = tmp_path / "lines.tsv"
    batch.write_text(
        f"{SPEECH / 'think_correct_rms.wav'}\tI think we should go home now\n"
        f"{noise}\tHello there\n"
        "no tab on this line\n"
        f"{silent}\tHello there\n"
        f"{SPEECH / 'think_swapped_rms.wav'}\tI think we should go home now\n"
        f"{SPEECH / 'think_correct_rms.wav'}\t!!!\n"
        f"{SPEECH / 'ship_correct_slt.wav'}\tMy cat is sleeping on the sofa\n"
    )
    run = _cli("--batch", str(batch), "--model", "offline-pocketsphinx")  # flags the swap (see above)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(rows) == 7
    assert "score" in rows[0] and "score" in rows[4]
    assert rows[0]["read_something_else"] is False and rows[4]["read_something_else"] is False
    assert rows[6]["read_something_else"] is True and "noon" in rows[6]["heard_text"].lower()
    assert all("error" in rows[i] for i in (1, 2, 3, 5))
    think = next(w for w in rows[4]["words"] if w["word"] == "think")
    assert think["status"] == "mispronounced"


class _FixedTranscriptManager:
    """A stand-in for the session's recognizer that always hears ``text``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe_and_assess(self, samples, sample_rate, words):
        return _transcript(self.text), []


def _tone() -> np.ndarray:
    t = np.arange(16_000 * 2) / 16_000
    return (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)


def test_reading_another_sentence_is_flagged_with_what_was_heard() -> None:
    manager = _FixedTranscriptManager("My cat is sleeping on the sofa")
    result = AnalysisPipeline(manager).run(_tone(), "The ship left the harbor at noon")
    assert result.read_something_else is True
    assert result.heard_text == "My cat is sleeping on the sofa"
    assert result.reading_distance > 0.74
    assert result.coach == [], "no tips for words that were never read"
    data = result.to_dict()
    assert data["read_something_else"] is True and data["heard_text"] == "My cat is sleeping on the sofa"


def test_a_reading_of_the_sentence_is_not_flagged() -> None:
    manager = _FixedTranscriptManager("the sheep left the harbor at noon")
    result = AnalysisPipeline(manager).run(_tone(), "The ship left the harbor at noon")
    assert result.read_something_else is False
    assert 0.0 < result.reading_distance < 0.2
