"""The built-in coach: the one to three most important errors, explained with articulation tips.

Works on the word results of an analysis (duck-typed: ``word``, ``status``, ``score``,
``phone_errors`` with ``kind``/``expected``/``heard``) so it has no model or page
dependency. An LLM coach (``llm_coach``) may add to it when one is configured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol, Sequence

from pronunciation.sound_guide import tip_for

MAX_NOTES = 3


class _PhoneErrorLike(Protocol):
    kind: str
    expected: str
    heard: str


class _WordLike(Protocol):
    word: str
    status: str
    score: int
    phone_errors: Sequence[_PhoneErrorLike]


@dataclass(frozen=True)
class CoachNote:
    """One explained error: what was expected, what was heard, and how to fix it."""

    word: str
    expected: str
    heard: str
    message: str
    tip: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _slashes(phone: str) -> str:
    return f"/{phone}/" if phone else "nothing"


def _last_expected(word: _WordLike) -> str:
    phonemes = getattr(word, "expected_phonemes", None) or []
    return phonemes[-1] if phonemes else ""


def coach_notes(words: Sequence[_WordLike], limit: int = MAX_NOTES) -> list[CoachNote]:
    """Up to ``limit`` notes, most important first; one note per sound."""
    candidates: list[tuple[float, CoachNote]] = []
    for word in words:
        if word.status == "correct":
            continue
        if word.status == "missing":
            message = f"“{word.word}” was not heard. Say every word, even short ones."
            candidates.append((-1.0, CoachNote(word.word, "", "", message, "Read slowly at first, then speed up.")))
            continue
        errors = [e for e in word.phone_errors if e.kind != "insertion"] or list(word.phone_errors)
        if not errors:
            message = f"“{word.word}” was not clear. Listen to the example and try it again slowly."
            candidates.append((word.score, CoachNote(word.word, "", "", message, "Stress the right syllable.")))
            continue
        error = errors[0]
        if error.kind == "substitution":
            message = f"In “{word.word}”, {_slashes(error.expected)} sounded like {_slashes(error.heard)}."
        elif error.kind == "deletion":
            message = f"In “{word.word}”, the sound {_slashes(error.expected)} was missing."
        else:
            message = f"In “{word.word}”, an extra sound {_slashes(error.heard)} crept in."
        if error.kind == "substitution":
            tip = tip_for(error.expected, error.heard)
        elif error.kind == "deletion":
            tip = tip_for(error.expected, "", final=error.expected == _last_expected(word))
        else:
            tip = tip_for("", error.heard)
        candidates.append((word.score, CoachNote(word.word, error.expected, error.heard, message, tip)))
    candidates.sort(key=lambda item: item[0])
    notes: list[CoachNote] = []
    seen_sounds: set[tuple[str, str]] = set()
    for _, note in candidates:
        key = (note.expected, note.heard)
        if note.expected and key in seen_sounds:
            continue
        seen_sounds.add(key)
        notes.append(note)
        if len(notes) == limit:
            break
    return notes
