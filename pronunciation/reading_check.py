"""Did the learner read the sentence at all? "You read something else" from the transcript.

The recognizer's words are turned into sounds (the same G2P as the reference) and the two
sound sequences are compared: ``distance`` is their edit distance over the longer of the two,
0 for the same sounds, near 1 for unrelated speech. Comparing sounds rather than spellings keeps
a mispronounced reading ("we call it bill" for "we call it bear", "sheep" for "ship") close to its
sentence, while another sentence shares only the sounds any two English sentences share.

Short references (a word, a drill) have few sounds, so one slip would be a large share of them:
the distance is taken over at least ``MIN_SOUNDS`` sounds. A one-word reference therefore only
counts as "something else" when the recognizer heard several unrelated words.

Nothing heard is not "something else": silence and noise have their own messages.

``THRESHOLD`` was measured by ``bench/reading_check.py`` on the speechocean762 learner recordings
(each transcript against its own prompt and against other prompts, threshold chosen with
cross-validation grouped by speaker); the figures it reached are in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pronunciation.phonetics import TextError, word_ipa
from pronunciation.sequence_alignment import align, count_errors

THRESHOLD = 0.74  # distance above which a reading is "something else" (bench/reading_check.py)
MIN_SOUNDS = 8  # the distance of a short reference is taken over at least this many sounds


@dataclass(frozen=True)
class ReadingCheck:
    """The verdict for one recording: whether it was another text, and how far it was."""

    read_something_else: bool
    distance: float
    heard_words: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sounds_of_word(word: str) -> tuple[str, ...]:
    """The word's phonemes; its letters when the G2P cannot say it (a stray symbol, a name)."""
    try:
        phonemes = tuple(word_ipa(word).phonemes)
    except TextError:
        phonemes = ()
    return phonemes or tuple(word.lower())


def sound_distance(
    reference: Sequence[str], heard: Sequence[str], min_sounds: int = MIN_SOUNDS
) -> float:
    """Edit distance of two phoneme sequences over the longer one (at least ``min_sounds``), 0-1."""
    if not reference and not heard:
        return 0.0
    edits = count_errors(align(list(reference), list(heard)), len(reference)).errors
    return min(1.0, edits / max(len(reference), len(heard), min_sounds, 1))


def check_reading(
    reference_sounds: Sequence[Sequence[str]],
    heard_words: Sequence[str],
    threshold: float = THRESHOLD,
    min_sounds: int = MIN_SOUNDS,
    sounds_of: Callable[[str], Sequence[str]] = sounds_of_word,
) -> ReadingCheck:
    """Compare the reference's phonemes (one sequence per word) with the recognized words."""
    heard = tuple(w for w in heard_words if w.strip())
    if not heard:
        return ReadingCheck(read_something_else=False, distance=0.0, heard_words=())
    expected = [p for word in reference_sounds for p in word]
    got = [p for word in heard for p in sounds_of(word)]
    distance = sound_distance(expected, got, min_sounds)
    return ReadingCheck(
        read_something_else=distance > threshold,
        distance=round(distance, 3),
        heard_words=heard,
    )
