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
