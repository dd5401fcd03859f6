"""One rule for turning a 0-100 word score into the level a learner sees."""

from __future__ import annotations

from typing import Literal

WordLevel = Literal["good", "close", "wrong"]

GOOD_MIN_SCORE = 80
CLOSE_MIN_SCORE = 60


def word_level(score: float) -> WordLevel:
    """good >= 80, close 60-79, wrong < 60."""
    if score >= GOOD_MIN_SCORE:
        return "good"
    if score >= CLOSE_MIN_SCORE:
        return "close"
    return "wrong"
