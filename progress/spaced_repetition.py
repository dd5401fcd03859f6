"""A small Leitner-style scheduler for words the learner should practise again.

Every word the learner got wrong becomes a :class:`ReviewItem` in box 0, due at once.
A correct reading of a due item moves it one box up; the box says how many days pass
before it is due again (``BOX_INTERVALS_DAYS``). A wrong reading sends it back to box 0
and counts a lapse. A correct reading of an item that is *not yet due* only records the
result: drilling one sentence ten times in a row must not "master" a word in a minute.

Everything here is a pure function on a frozen dataclass, so it is tested without a
database; ``progress/storage.py`` keeps the items.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal

# Days until an item in box N is due again. Box 0 means "due now".
BOX_INTERVALS_DAYS: tuple[int, ...] = (0, 1, 3, 7, 14, 30)
TOP_BOX = len(BOX_INTERVALS_DAYS) - 1
# An item in the top box that was answered correctly is "mastered" (still reviewed, rarely).
MAX_WORD_CHARS = 64

ReviewResult = Literal["correct", "wrong"]

_WORD_CHARS = re.compile(r"[^\w'\-]+")


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime:
    """An aware UTC datetime (naive values are taken to be UTC already; None is now)."""
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def normalize_word(word: object) -> str:
    """The key a word is reviewed under: lower case, surrounding punctuation removed.

    ``"Hello,"`` and ``"hello"`` are one item; inner apostrophes and hyphens stay
    (``"don't"``, ``"well-known"``). Returns ``""`` when nothing word-like is left.
    """
    text = unicodedata.normalize("NFC", str(word or "")).lower().replace("\u2019", "'")
    text = _WORD_CHARS.sub(" ", text).strip().strip("'-").strip()
    text = " ".join(text.split())
    return text[:MAX_WORD_CHARS]


@dataclass(frozen=True)
class ReviewItem:
    """The review state of one word for one learner."""

    word: str
    box: int = 0
    due_at: datetime = datetime(1970, 1, 1, tzinfo=timezone.utc)
    lapses: int = 0
    last_result: ReviewResult | None = None
    reviews: int = 0
    last_reviewed_at: datetime | None = None

    @property
    def interval_days(self) -> int:
        """Days between reviews for the item's current box."""
        return BOX_INTERVALS_DAYS[min(max(self.box, 0), TOP_BOX)]

    @property
    def mastered(self) -> bool:
        return self.box >= TOP_BOX and self.last_result == "correct"

    def is_due(self, now: datetime | None = None) -> bool:
        return as_utc(self.due_at) <= as_utc(now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "box": self.box,
            "interval_days": self.interval_days,
            "due_at": as_utc(self.due_at).isoformat(),
            "lapses": self.lapses,
            "last_result": self.last_result,
            "reviews": self.reviews,
            "last_reviewed_at": (
                as_utc(self.last_reviewed_at).isoformat() if self.last_reviewed_at else None
            ),
            "mastered": self.mastered,
        }


def new_item(word: str, now: datetime | None = None) -> ReviewItem:
    """A word just got wrong for the first time: box 0, due at once."""
    moment = as_utc(now)
    return ReviewItem(
        word=normalize_word(word),
        box=0,
        due_at=moment,
        lapses=0,
        last_result="wrong",
        reviews=0,
        last_reviewed_at=moment,
    )


def review(item: ReviewItem, correct: bool, now: datetime | None = None) -> ReviewItem:
    """The item after one reading of its word (``correct`` or not) at ``now``.

    - wrong: back to box 0, due now, one more lapse;
    - correct and due: one box up, due after that box's interval;
    - correct but not due yet: only the result is recorded (no promotion).
    """
    moment = as_utc(now)
    if not correct:
        return replace(
            item,
            box=0,
            due_at=moment,
            lapses=item.lapses + 1,
            last_result="wrong",
            reviews=item.reviews + 1,
            last_reviewed_at=moment,
        )
    if not item.is_due(moment):
        return replace(item, last_result="correct", last_reviewed_at=moment)
    box = min(max(item.box, 0) + 1, TOP_BOX)
    return replace(
        item,
        box=box,
        due_at=moment + timedelta(days=BOX_INTERVALS_DAYS[box]),
        last_result="correct",
        reviews=item.reviews + 1,
        last_reviewed_at=moment,
    )


def record_failure(item: ReviewItem | None, word: str, now: datetime | None = None) -> ReviewItem:
    """A wrong reading: a new item for an unknown word, a reset for a known one."""
    if item is None:
        return new_item(word, now)
    return review(item, correct=False, now=now)


def review_order(items: Iterable[ReviewItem], now: datetime | None = None) -> list[ReviewItem]:
    """Due items first (the most overdue, then the most lapsed, first), then the rest by due date."""
    moment = as_utc(now)

    def key(item: ReviewItem) -> tuple[int, datetime, int, str]:
        due = as_utc(item.due_at)
        return (0 if due <= moment else 1, due, -item.lapses, item.word)

    return sorted(items, key=key)


def due_items(items: Iterable[ReviewItem], now: datetime | None = None) -> list[ReviewItem]:
    """Only the items due at ``now``, in review order."""
    moment = as_utc(now)
    return [item for item in review_order(items, moment) if item.is_due(moment)]
