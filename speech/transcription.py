"""What a speech recognizer returns: one shape for every backend.

Both backends behind ``ASRModelManager`` (a Hugging Face CTC model and the bundled
pocketsphinx engine) return a :class:`Transcription`. Times are in seconds from the
start of the 16 kHz mono clip that was transcribed. Phones are IPA strings without
stress marks (stress is a property of the reference, not of what was heard).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EngineKind = Literal["hf", "offline"]


@dataclass(frozen=True)
class WordSegment:
    """One recognized word with its time span and a 0-1 confidence."""

    word: str
    start: float
    end: float
    confidence: float = 1.0


@dataclass(frozen=True)
class PhoneSegment:
    """One recognized phone (IPA, no stress marks) with its time span and 0-1 confidence."""

    phone: str
    start: float
    end: float
    confidence: float = 1.0


@dataclass
class Transcription:
    """A recognizer's output for one clip."""

    text: str
    words: list[WordSegment] = field(default_factory=list)
    phones: list[PhoneSegment] = field(default_factory=list)
    model_name: str = ""
    engine: EngineKind = "hf"
    duration_s: float = 0.0
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReferenceWord:
    """A word of the reference text and its expected phonemes (IPA, no stress marks).

    ``variants`` are other pronunciations that count as correct (weak forms such as
    "the" /ði/, non-rhotic forms such as "for" /fɔ/); a scorer may pick whichever fits.
    """

    text: str
    phonemes: tuple[str, ...]
    variants: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class PhoneEvidence:
    """Acoustic evidence for one expected phone of a reference word.

    ``heard`` is the phone the acoustics favour at that place ("" when the phone
    seems to be missing); ``score`` is a 0-1 goodness of the *expected* phone.
    ``features`` holds the scorer's statistics behind it (see ``speech.ctc_alignment``).
    """

    expected: str
    heard: str
    score: float
    start: float = 0.0
    end: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class WordEvidence:
    """Acoustic evidence for one reference word, from forced alignment against the text.

    ``found`` is False when the word could not be located in the audio at all (missing).
    ``heard_phonemes`` is what the acoustics favour for the whole word (IPA, no stress),
    which may differ in length from the expected phonemes (insertions, deletions).
    ``score`` is 0-1. ``pronunciation`` is the accepted pronunciation the evidence is
    about (one of the word's variants; empty when the engine does not say), and
    ``features`` the scorer's word-level statistics that a calibration reads.
    """

    word: str
    found: bool
    start: float
    end: float
    score: float
    phones: tuple[PhoneEvidence, ...] = ()
    heard_phonemes: tuple[str, ...] = ()
    pronunciation: tuple[str, ...] = ()
    features: dict[str, float] = field(default_factory=dict)
