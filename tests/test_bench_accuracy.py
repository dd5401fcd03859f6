"""The accuracy bench's bookkeeping: figures per word and the ceiling of the evidence."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from accuracy import Tally, baseline_flags  # noqa: E402


def test_tally_counts_recall_and_false_alarms() -> None:
    tally = Tally()
    tally.add([False, True, False], swapped_index=1, label="a", words=["the", "sheep", "left"])
    tally.add([True, False, False], swapped_index=-1, label="b", words=["the", "ship", "left"])
    fig = tally.figures()
    assert fig["recall"] == 1.0
    assert fig["false_alarm_pct"] == 20.0  # 1 of 5 correctly spoken words
    assert fig["word_accuracy"] == round(100 * 2 / 3, 2)
    assert tally.alarms == ["b:the"]


def test_ceiling_is_the_best_recall_one_threshold_allows() -> None:
    tally = Tally()
    # 20 correctly spoken words scoring 0.50..0.98, swaps scoring 0.10, 0.55 and 0.95.
    right = [0.5 + 0.025 * k for k in range(20)]
    tally.add([False] * 20, swapped_index=-1, label="c", words=["w"] * 20, scores=right)
    for score in (0.10, 0.55, 0.95):
        tally.add([False, False], swapped_index=0, label="s", words=["x", "y"], scores=[score, 0.99])
    ceiling = tally.ceiling((3.0, 10.0))
    # 23 right words (with the three 0.99s): none may score under the 3 % threshold (0.50),
    # two under the 10 % one (0.55); the swap at 0.55 is not under it.
    assert ceiling["recall_at_3pct_false_alarms"] == round(1 / 3, 3)
    assert ceiling["recall_at_10pct_false_alarms"] == round(1 / 3, 3)
    tally.add([False], swapped_index=0, label="s", words=["z"], scores=[0.52])
    assert tally.ceiling((10.0,))["recall_at_10pct_false_alarms"] == 0.5


def test_baseline_flags_the_words_the_transcript_lacks() -> None:
    assert baseline_flags(["the", "ship", "left"], ["the", "sheep", "left"]) == [False, True, False]
