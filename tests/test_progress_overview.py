"""The Progress page's plain words: review schedule, sentences apart, topic names, failed attempts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from progress import spaced_repetition as sr
from progress.overview import (
    conversation_rows,
    next_review,
    review_plan,
    scores_by_sentence,
)
from progress.records import is_failed_attempt

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize(("days", "words"), [(-1, "Now"), (0, "Now"), (0.5, "Tomorrow"), (1, "Tomorrow"),
                                             (3, "In 3 days"), (7, "In 7 days"), (30, "In 4 weeks")])
def test_next_review_in_plain_words(days: float, words: str) -> None:
    item = sr.ReviewItem("think", box=1, due_at=NOW + timedelta(days=days))
    assert next_review(item, NOW) == words


def test_review_plan_keeps_due_and_later_apart() -> None:
    due = sr.ReviewItem("ship", due_at=NOW - timedelta(hours=1))
    later = sr.ReviewItem("sheep", box=2, due_at=NOW + timedelta(days=3))
    plan = review_plan([later, due], NOW)
    assert [i.word for i in plan.due] == ["ship"] and [i.word for i in plan.later] == ["sheep"]
    assert plan.due_message.startswith("1 word is due now")
    nothing = review_plan([later], NOW)
    assert nothing.due_message == "Nothing is due right now." and "comes back later" in nothing.later_message


def test_scores_are_grouped_per_sentence_most_practised_first() -> None:
    rows = [{"created_at": "t1", "score": 50, "reference_text": "The ship"},
            {"created_at": "t2", "score": 80, "reference_text": "A cat"},
            {"created_at": "t3", "score": 70, "reference_text": "the  ship"},
            {"created_at": "t4", "score": None, "reference_text": "A dog"}]
    groups = scores_by_sentence(rows)
    assert [g.text for g in groups] == ["The ship", "A cat"]
    assert [p["score"] for p in groups[0].points] == [50, 70]
    assert groups[0].label == "The ship (2 attempts)"


def test_topics_get_their_titles() -> None:
    rows = conversation_rows([{"topic": "work", "level": "A2", "mode": "exam", "turn_count": 2,
                               "ended_at": "x"}, {"topic": "no_such_topic", "mode": "practice"}])
    assert rows[0]["Topic"] == "Work and study" and rows[0]["Mode"] == "Exam" and rows[0]["Status"] == "Finished"
    assert rows[1]["Topic"] == "no_such_topic" and rows[1]["Status"] == "Open"


@pytest.mark.parametrize(("value", "failed"), [(True, True), ("true", True), (False, False), (None, False),
                                               (1, False), ("no", False)])
def test_failed_attempt_flag_is_read_defensively(value: object, failed: bool) -> None:
    assert is_failed_attempt({"read_something_else": value}) is failed
    assert is_failed_attempt({}) is False and is_failed_attempt(None) is False
