"""The Progress page's wording and grouping, as plain functions (the page only draws them).

* the review schedule in plain words ("Now", "Tomorrow", "In 3 days"), with due and
  upcoming words kept apart so that a message never contradicts the table under it;
* scores grouped per practice sentence, so that one chart never mixes different sentences;
* topic and mode names for the conversation list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from progress import spaced_repetition as sr
from tutor.topics import topic_title

MODE_NAMES = {"practice": "Practice", "exam": "Exam"}


def next_review(item: sr.ReviewItem, now: datetime) -> str:
    """When the word comes back, in plain words."""
    if item.is_due(now):
        return "Now"
    days = math.ceil((sr.as_utc(item.due_at) - sr.as_utc(now)).total_seconds() / 86400)
    if days <= 1:
        return "Tomorrow"
    if days < 14:
        return f"In {days} days"
    weeks = round(days / 7)
    return f"In {weeks} weeks"


@dataclass(frozen=True)
class ReviewPlan:
    """The learner's review words split into due now and coming later, with one message for each."""

    due: tuple[sr.ReviewItem, ...]
    later: tuple[sr.ReviewItem, ...]

    @property
    def due_message(self) -> str:
        if not self.due:
            return "Nothing is due right now."
        if len(self.due) == 1:
            return "1 word is due now. Practise it: use it as your text on the Pronunciation Practice page."
        return (f"{len(self.due)} words are due now. Practise them: use them as your text on the "
                "Pronunciation Practice page.")

    @property
    def later_message(self) -> str:
        if not self.later:
            return ""
        what = "This word comes" if len(self.later) == 1 else "These words come"
        return f"{what} back later, when a review will help most:"


def review_plan(items: Iterable[sr.ReviewItem], now: datetime) -> ReviewPlan:
    ordered = sr.review_order(items, now)
    return ReviewPlan(tuple(i for i in ordered if i.is_due(now)), tuple(i for i in ordered if not i.is_due(now)))


def review_rows(items: Sequence[sr.ReviewItem], now: datetime) -> list[dict[str, Any]]:
    """Rows of the review tables: the word, when it comes back, how often it was missed."""
    return [{"Word": item.word, "Next review": next_review(item, now), "Times missed": item.lapses + 1}
            for item in items]


@dataclass
class SentenceScores:
    """The scores of one practice sentence, oldest first."""

    text: str
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        short = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        count = len(self.points)
        return f"{short} ({count} attempt{'s' if count != 1 else ''})"


def scores_by_sentence(rows: Iterable[Mapping[str, Any]]) -> list[SentenceScores]:
    """Scored rows grouped by their sentence; the most practised sentence first, then the latest."""
    groups: dict[str, SentenceScores] = {}
    order: dict[str, int] = {}
    for position, row in enumerate(rows):
        if row.get("score") is None:
            continue
        text = " ".join(str(row.get("reference_text") or "").split()) or "(no text)"
        key = text.lower()
        groups.setdefault(key, SentenceScores(text)).points.append(dict(row))
        order[key] = position
    return sorted(groups.values(), key=lambda g: (-len(g.points), -order[g.text.lower()]))


def conversation_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The conversation list with topic titles ("Work and study", not "work") and mode names."""
    return [{"Topic": topic_title(str(row.get("topic") or "")), "Level": row.get("level") or "",
             "Mode": MODE_NAMES.get(str(row.get("mode")), str(row.get("mode") or "")),
             "Answers": row.get("turn_count", 0),
             "Status": "Finished" if row.get("ended_at") else "Open"}
            for row in rows]
