from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta, timezone

import pytest

from progress import spaced_repetition as sr

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_new_item_is_due_at_once_in_box_zero() -> None:
    item = sr.new_item("Thought,", T0)
    assert item.word == "thought"
    assert item.box == 0
    assert item.is_due(T0)
    assert item.last_result == "wrong"
    assert item.lapses == 0


def test_correct_due_item_moves_up_one_box_per_review() -> None:
    item = sr.new_item("three", T0)
    now = T0
    for expected_box in range(1, sr.TOP_BOX + 1):
        item = sr.review(item, correct=True, now=now)
        assert item.box == expected_box
        assert item.due_at == now + timedelta(days=sr.BOX_INTERVALS_DAYS[expected_box])
        assert not item.is_due(now)
        now = item.due_at
    # The top box is a ceiling.
    item = sr.review(item, correct=True, now=now)
    assert item.box == sr.TOP_BOX
    assert item.mastered


def test_wrong_reading_resets_and_counts_a_lapse() -> None:
    item = sr.review(sr.new_item("world", T0), correct=True, now=T0)
    later = T0 + timedelta(days=2)
    reset = sr.review(item, correct=False, now=later)
    assert reset.box == 0
    assert reset.due_at == later
    assert reset.lapses == 1
    assert reset.last_result == "wrong"
    assert reset.reviews == item.reviews + 1


def test_early_success_records_the_result_but_does_not_promote() -> None:
    item = sr.review(sr.new_item("world", T0), correct=True, now=T0)  # box 1, due tomorrow
    again = sr.review(item, correct=True, now=T0 + timedelta(minutes=5))
    assert again.box == 1
    assert again.due_at == item.due_at
    assert again.reviews == item.reviews


def test_record_failure_creates_or_resets() -> None:
    created = sr.record_failure(None, "Rural", T0)
    assert created.word == "rural" and created.lapses == 0
    promoted = sr.review(created, True, T0)
    reset = sr.record_failure(promoted, "rural", T0 + timedelta(days=3))
    assert reset.box == 0 and reset.lapses == 1


def test_review_order_puts_due_items_first() -> None:
    now = T0 + timedelta(days=10)
    later = sr.ReviewItem("later", box=3, due_at=now + timedelta(days=2))
    overdue = sr.ReviewItem("overdue", box=2, due_at=now - timedelta(days=5))
    due_lapsed = sr.ReviewItem("lapsed", box=0, due_at=now - timedelta(days=1), lapses=4)
    due_fresh = sr.ReviewItem("fresh", box=0, due_at=now - timedelta(days=1), lapses=0)
    ordered = sr.review_order([later, due_fresh, overdue, due_lapsed], now)
    assert [item.word for item in ordered] == ["overdue", "lapsed", "fresh", "later"]
    assert [item.word for item in sr.due_items(ordered, now)] == ["overdue", "lapsed", "fresh"]


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = datetime(2025, 3, 1, 12, 0)
    item = sr.new_item("cat", naive)
    assert item.due_at == T0
    assert item.is_due(naive)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Hello,", "hello"),
        ("DON\u2019T", "don't"),
        ("'quoted'", "quoted"),
        ("well-known.", "well-known"),
        ("...", ""),
        (None, ""),
        ("  Two   words ", "two words"),
    ],
)
def test_normalize_word(raw: object, key: str) -> None:
    assert sr.normalize_word(raw) == key


def test_items_are_frozen_and_serialisable() -> None:
    item = sr.new_item("cat", T0)
    with pytest.raises(FrozenInstanceError):
        item.box = 3  # type: ignore[misc]
    data = item.to_dict()
    assert data["word"] == "cat"
    assert data["due_at"] == T0.isoformat()
    assert data["interval_days"] == 0
