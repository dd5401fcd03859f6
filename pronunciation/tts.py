"""Offline reference audio: "listen to the model" for a practice text.

Uses a speech synthesizer installed on the machine, found on PATH: flite with its
US-English "slt" voice when present (the most natural of the three), otherwise
espeak-ng or espeak with the "en-us" voice. The text is user input, so it is
written to a temporary file and passed by name (never through a shell, never
as a command-line word that could be read as an option).
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

logger = logging.getLogger(__name__)

ENGINE_PREFERENCE: tuple[str, ...] = ("flite", "espeak-ng", "espeak")
FLITE_VOICE = "slt"  # CMU US English, female; flite uses its default voice when absent
ESPEAK_VOICE = "en-us"
NORMAL_WPM = 165
SLOW_FACTOR = 0.65  # slow speech runs at about 65% of normal speed
TIMEOUT_S = 20.0
MAX_CHARS = 2000  # longer texts are cut (reference texts and tutor replies are far shorter)
CACHE_SIZE = 64
WORD_MIN_SECONDS = 1.5  # a drill word's clip is padded with silence to at least this long


class _SynthesisError(RuntimeError):
    """Raised inside the cache so that failures are not remembered."""


def tts_engine() -> str | None:
    """The name of the offline synthesizer on PATH ("flite", "espeak-ng", "espeak"), or None."""
    for name in ENGINE_PREFERENCE:
        if shutil.which(name):
            return name
    return None


def _clean(text: str) -> str:
    """Printable text on one line, cut to ``MAX_CHARS``."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_CHARS:
        logger.info("TTS text cut from %d to %d characters", len(cleaned), MAX_CHARS)
        cleaned = cleaned[:MAX_CHARS]
    return cleaned


def _command(engine: str, executable: str, text_file: Path, wav_file: Path, slow: bool) -> list[str]:
    if engine == "flite":
        stretch = 1.0 / SLOW_FACTOR if slow else 1.0
        return [executable, "-voice", FLITE_VOICE, "--setf", f"duration_stretch={stretch:.3f}",
                "-f", str(text_file), "-o", str(wav_file)]
    wpm = round(NORMAL_WPM * SLOW_FACTOR) if slow else NORMAL_WPM
    return [executable, "-v", ESPEAK_VOICE, "-s", str(wpm), "-b", "1",
            "-f", str(text_file), "-w", str(wav_file)]


def _run(engine: str, text: str, slow: bool) -> bytes:
    executable = shutil.which(engine)
    if executable is None:
        raise _SynthesisError(f"{engine} is no longer on PATH")
    with tempfile.TemporaryDirectory(prefix="accent-coach-tts-") as folder:
        text_file = Path(folder) / "text.txt"
        wav_file = Path(folder) / "speech.wav"
        text_file.write_text(text + "\n", encoding="utf-8")
        command = _command(engine, executable, text_file, wav_file, slow)
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise _SynthesisError(f"{engine} took longer than {TIMEOUT_S:.0f} s") from exc
        except OSError as exc:
            raise _SynthesisError(f"{engine} could not be started: {exc}") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()[:300]
            raise _SynthesisError(f"{engine} exited with code {done.returncode}: {detail}")
        data = wav_file.read_bytes() if wav_file.exists() else b""
    if len(data) <= 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise _SynthesisError(f"{engine} produced no WAV audio ({len(data)} bytes)")
    return data


@functools.lru_cache(maxsize=CACHE_SIZE)
def _synthesize_cached(text: str, slow: bool, engine: str) -> bytes:
    return _run(engine, text, slow)


def synthesize(text: str, slow: bool = False) -> bytes | None:
    """WAV bytes of ``text`` read in US English (slow: about 0.65x speed).

    Returns None when no offline engine is installed, the text is empty, or
    synthesis fails (the reason goes to the log).
    """
    engine = tts_engine()
    if engine is None:
        logger.info("No offline text-to-speech engine found (install flite or espeak-ng)")
        return None
    cleaned = _clean(text or "")
    if not cleaned:
        return None
    try:
        return _synthesize_cached(cleaned, bool(slow), engine)
    except _SynthesisError as exc:
        logger.warning("Text-to-speech failed: %s", exc)
        return None


def synthesize_word(word: str, min_seconds: float = WORD_MIN_SECONDS) -> bytes | None:
    """A single word read slowly, with silence after it up to ``min_seconds``.

    A bare word lasts well under a second, and browsers show such a clip as "0:00 / 0:00",
    which looks broken; the padding also gives the learner a moment before the clip ends.
    """
    audio = synthesize(word, slow=True)
    if audio is None:
        return None
    try:
        samples, rate = sf.read(io.BytesIO(audio), dtype="float32", always_2d=False)
    except (RuntimeError, sf.LibsndfileError):
        return audio
    missing = int(min_seconds * rate) - len(samples)
    if missing > 0:
        samples = np.concatenate([samples, np.zeros((missing, *samples.shape[1:]), dtype=np.float32)])
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
