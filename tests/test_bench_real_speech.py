"""The real-speech bench: its figures' bookkeeping, and one short run on three recordings."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.speechocean import CORPUS_DIR, Tally, auc, corpus_available, pair_phones

ROOT = Path(__file__).resolve().parents[1]
BENCH_TIMEOUT_S = 600


def test_auc_counts_ties_as_half() -> None:
    assert auc([3.0, 4.0], [1.0, 2.0]) == 1.0
    assert auc([1.0], [1.0]) == 0.5
    assert auc([2.0, 0.0], [1.0]) == 0.5
    assert math.isnan(auc([], [1.0]))


def test_phones_pair_across_british_and_american_forms() -> None:
    # corpus "after" (non-rhotic): æ f t ə ; the app's: æ f t ɚ
    assert pair_phones(("æ", "f", "t", "ə"), ("æ", "f", "t", "ɚ")) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    # corpus "for": f ɔ ; the app's: f ɔ ɹ (the r has no expert score)
    assert pair_phones(("f", "ɔ"), ("f", "ɔ", "ɹ")) == [(0, 0), (1, 1)]


def test_tally_figures_follow_the_corpus_definitions() -> None:
    tally = Tally(
        sentence_scores=[90, 40, 70], sentence_experts=[9, 4, 7],
        word_scores=[95, 20, 85, 60], word_experts=[10, 3, 8, 8], word_flags=[False, True, False, True],
        phone_scores=[100, 0, 50], phone_experts=[2, 0, 1], wer_errors=1, wer_words=4,
    )
    figures = tally.figures()
    assert figures["sentence_pcc"] == pytest.approx(1.0, abs=1e-6)
    assert figures["word_auc"] == 1.0
    assert figures["word_precision"] == 0.5 and figures["word_recall"] == 1.0
    assert figures["good_words_flagged_pct"] == pytest.approx(100 / 3)
    assert figures["phone_pcc"] == pytest.approx(1.0)
    assert figures["transcript_wer"] == 0.25


@pytest.mark.skipif(not corpus_available(), reason=f"the real-speech corpus is not at {CORPUS_DIR}")
def test_bench_runs_the_pipeline_on_three_recordings() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "real_speech.py"), "--limit", "3", "--engine", "offline"],
        capture_output=True, text=True, timeout=BENCH_TIMEOUT_S, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["recordings"] == 3
    figures = result["engines"]["offline"]
    assert "unavailable" not in figures, figures
    assert figures["recordings"] == 3 and figures["failures"] == 0
    assert figures["words"] >= 3
    assert figures["ms_per_audio_second"] > 0
    assert 0.0 <= figures["transcript_wer"] <= 3.0
    for name in ("sentence_pcc", "word_score_pcc", "phone_pcc"):
        assert figures[name] is None or -1.0 <= figures[name] <= 1.0
    assert 0.0 <= figures["good_words_flagged_pct"] <= 100.0
    assert set(figures["targets_met"]) <= {"sentence_pcc", "word_auc", "word_f1", "good_words_flagged_pct",
                                           "transcript_wer"}
    cross_validated = result["calibration_cross_validated"]
    assert cross_validated["grouped_by"] == "speaker" and cross_validated["recordings"] > 0
