"""What the Conversation Tutor tells a learner about a whole session, in plain words.

* :func:`practice_summary`: when a practice session ends, the sentences that had a
  mistake (quoted, with the better version) and what to work on next (the tutor's
  grammar labels live in :mod:`conversation_tutor`, which passes the points in).
* :func:`quote_turns` and :func:`level_estimate`: the exam report quotes every answer with
  its correction and shows the evidence behind the estimated level (share of answers with a
  mistake, sentence length, word variety, linking words).
* :func:`pronunciation_note`: a kind sentence naming the words of a spoken turn that the
  recognizer was unsure of.
* :func:`format_duration`: times as mm:ss.

Everything works on finished turns (``TurnResult``) and returns frozen dataclasses; the
page only draws them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from conversation_tutor import TurnResult

LEVEL_THRESHOLDS = (("C1-C2", 20.0), ("B1-B2", 11.0))  # points needed for each band; below: A2
FEW_ANSWERS = 3
MAX_QUOTED = 8


def format_duration(seconds: float) -> str:
    """``75`` -> ``"01:15"``; an hour or more -> ``"1:02:03"``."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class QuotedSentence:
    """One answer of the learner, as said, with the tutor's better version when it had a mistake."""

    said: str
    has_errors: bool
    better: str = ""
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def quote_turns(turns: Sequence["TurnResult"]) -> tuple[QuotedSentence, ...]:
    """Every answer quoted; a corrected one carries the improved version and the explanation."""
    quoted = []
    for turn in turns:
        reply = turn.reply
        if reply.has_errors:
            quoted.append(QuotedSentence(turn.transcript, True, reply.improved_version, reply.explanation))
        else:
            quoted.append(QuotedSentence(turn.transcript, False))
    return tuple(quoted)


@dataclass(frozen=True)
class LevelEstimate:
    """A rough CEFR band and the evidence it rests on, each piece in one plain sentence."""

    level: str
    answers: int
    answers_with_errors: int
    mean_words: float
    variety: float
    linking_words: int
    points: float
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def level_estimate(texts: Sequence[str], error_turns: int, linking_words: Collection[str]) -> LevelEstimate:
    """Sentence length, word variety and linking words (``linking_words``: although, however…) raise
    the estimate; answers with mistakes lower it."""
    words = [w for text in texts for w in re.findall(r"[a-z']+", text.lower())]
    if not texts or not words:
        return LevelEstimate("A2", len(texts), error_turns, 0.0, 0.0, 0, 0.0,
                             ("There were no answers to judge, so the estimate starts at A2.",))
    answers = len(texts)
    mean_words = len(words) / answers
    variety = len(set(words)) / len(words)
    linking = sum(1 for w in words if w in linking_words)
    error_share = min(error_turns / answers, 1.0)
    points = mean_words + 8 * variety + 4 * linking / answers - 10 * error_share
    level = next((band for band, needed in LEVEL_THRESHOLDS if points >= needed), "A2")
    evidence = [
        f"Mistakes: {error_turns} of your {answers} answers had a grammar or word mistake "
        f"({error_share:.0%}); fewer mistakes raise the estimate.",
        f"Sentence length: {mean_words:.1f} words per answer on average (about 8 is typical "
        "of A2, 9 to 15 of B1-B2, 16 or more of C1-C2).",
        f"Variety: {variety:.0%} of your words were different words; repeating fewer words raises it.",
        (f"Linking words: you used {linking} (such as although, however, which)." if linking
         else "Linking words: none yet; words such as although, however and which raise the estimate."),
        f"Together that makes {points:.0f} points: B1-B2 starts at 11 and C1-C2 at 20.",
    ]
    if answers < FEW_ANSWERS:
        evidence.append(f"This rests on only {answers} answer{'s' if answers != 1 else ''}: "
                        "answer more questions for a surer estimate.")
    return LevelEstimate(level, answers, error_turns, round(mean_words, 1), round(variety, 2), linking,
                         round(points, 1), tuple(evidence))


def unclear_words(turns: Sequence["TurnResult"], limit: int = 5) -> tuple[str, ...]:
    """The words of spoken turns the recognizer was unsure of, most frequent first."""
    counts: Counter[str] = Counter(word for turn in turns for word in turn.pronunciation_hints)
    return tuple(word for word, _ in counts.most_common(limit))


@dataclass(frozen=True)
class PracticeSummary:
    """The end of a practice session: how it went, the sentences to fix and what to work on."""

    turns: int
    duration: str
    corrected: tuple[QuotedSentence, ...]
    clean_answers: int
    unclear_words: tuple[str, ...]
    work_on: tuple[str, ...]

    @property
    def headline(self) -> str:
        if not self.turns:
            return "You ended the session before answering: start again whenever you like."
        if not self.corrected:
            return f"Well done: all {self.turns} of your answers were correct."
        verb = "was" if self.clean_answers == 1 else "were"
        return (f"{self.clean_answers} of your {self.turns} answers {verb} correct; "
                f"{len(self.corrected)} had something to fix.")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "headline": self.headline}


def practice_summary(turns: Sequence["TurnResult"], seconds: float, work_on: Sequence[str]) -> PracticeSummary:
    """The summary of finished practice ``turns`` that took ``seconds``; ``work_on`` says what to practise next."""
    quoted = quote_turns(turns)
    corrected = tuple(sentence for sentence in quoted if sentence.has_errors)
    return PracticeSummary(
        turns=len(turns),
        duration=format_duration(seconds),
        corrected=corrected[:MAX_QUOTED],
        clean_answers=len(quoted) - len(corrected),
        unclear_words=unclear_words(turns),
        work_on=tuple(work_on),
    )


def pronunciation_note(words: Sequence[str]) -> str:
    """A kind sentence naming the words to practise (the recognizer was unsure of them)."""
    if not words:
        return "Every word came through clearly."
    quoted = [f"\u201c{word}\u201d" for word in words]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return (f"Good effort! The recognizer was not sure about {listed}: say "
            f"{'it' if len(quoted) == 1 else 'them'} slowly a few times, or practise "
            f"{'it' if len(quoted) == 1 else 'them'} on the Pronunciation Practice page.")
