"""Running a Hugging Face CTC model (Wav2Vec2 and kin): transcription and evidence.

Works with character vocabularies (wav2vec2-*-960h: UPPERCASE letters, ``|`` between
words) and phoneme vocabularies (wav2vec2-lv-60-espeak-cv-ft: espeak-style IPA, mapped
to the canonical set of :mod:`pronunciation.phoneme_set` before any comparison).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np
import torch

from pronunciation.phoneme_set import canonical_phoneme, model_token_phoneme
from speech.ctc_alignment import UnitInventory, assess_words, log_softmax
from speech.transcription import (
    PhoneSegment,
    ReferenceWord,
    Transcription,
    WordEvidence,
    WordSegment,
)

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
DEFAULT_FRAME_SECONDS = 0.02  # wav2vec2: 320 samples per logit frame at 16 kHz
WORD_DELIMITER = "|"
WORD_CHARACTERS = "'"  # besides letters, the characters a word of a character model may hold


class HFCTCBackend:
    """A loaded CTC model and its processor, ready to transcribe 16 kHz mono audio."""

    engine = "hf"

    def __init__(self, model: Any, processor: Any, device: str, model_name: str) -> None:
        self.model = model
        self.processor = processor
        self.device = device
        self.model_name = model_name
        tokenizer = getattr(processor, "tokenizer", processor)
        self._vocab: dict[str, int] = dict(tokenizer.get_vocab())
        self._id_to_token = {i: t for t, i in self._vocab.items()}
        self.blank_id = int(getattr(tokenizer, "pad_token_id", 0) or 0)
        self.is_phoneme_model = _looks_like_phonemes(self._vocab)
        self.inventory = UnitInventory.from_vocabulary(
            self._id_to_token, self.blank_id, model_token_phoneme if self.is_phoneme_model else _letter
        )
        ratio = getattr(getattr(model, "config", None), "inputs_to_logits_ratio", None)
        self.frame_seconds = float(ratio) / SAMPLE_RATE if ratio else DEFAULT_FRAME_SECONDS

    # -- model ---------------------------------------------------------------
    def log_probs(self, audio: np.ndarray) -> np.ndarray:
        """Frame log-posteriors ``(frames, vocab)`` for a 16 kHz mono clip."""
        inputs = self.processor(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt")
        values = inputs["input_values"].to(self.device)
        with torch.inference_mode():
            logits = self.model(values).logits[0]
        return log_softmax(logits.float().cpu().numpy())

    # -- transcription -------------------------------------------------------
    def transcribe(self, audio: np.ndarray, sr: int = SAMPLE_RATE) -> Transcription:
        started = time.perf_counter()
        log_probs = self.log_probs(audio)
        return self.transcription_from(log_probs, audio.size / sr, started)

    def transcription_from(self, log_probs: np.ndarray, duration_s: float, started: float) -> Transcription:
        ids = log_probs.argmax(axis=1)
        runs = _collapse(ids, self.blank_id)
        probs = np.exp(log_probs.max(axis=1))
        if self.is_phoneme_model:
            phones = [
                PhoneSegment(p, s * self.frame_seconds, e * self.frame_seconds, float(probs[s:e].mean()))
                for token, s, e in runs
                if (p := canonical_phoneme(self._id_to_token.get(token, "")))
            ]
            text = " ".join(seg.phone for seg in phones)
            words: list[WordSegment] = []
        else:
            words = self._words_from_runs(runs, probs)
            text = " ".join(w.word for w in words)
            phones = []
        return Transcription(
            text=text,
            words=words,
            phones=phones,
            model_name=self.model_name,
            engine="hf",
            duration_s=duration_s,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _words_from_runs(self, runs: list[tuple[int, int, int]], probs: np.ndarray) -> list[WordSegment]:
        words: list[WordSegment] = []
        letters: list[str] = []
        start = end = 0
        confidences: list[float] = []

        def flush() -> None:
            if letters:
                word = "".join(letters).lower()
                words.append(
                    WordSegment(word, start * self.frame_seconds, end * self.frame_seconds, float(np.mean(confidences)))
                )
            letters.clear()
            confidences.clear()

        for token, s, e in runs:
            symbol = self._id_to_token.get(token, "")
            if symbol in (WORD_DELIMITER, " ") or symbol.startswith("<"):
                flush()
                continue
            if not letters:
                start = s
            letters.append(symbol)
            end = e
            confidences.append(float(probs[s:e].mean()))
        flush()
        return words

    # -- pronunciation evidence ---------------------------------------------
    def assess(self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        return self.assess_from(self.log_probs(audio), words)

    def transcribe_and_assess(
        self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]
    ) -> tuple[Transcription, list[WordEvidence]]:
        """One forward pass serves both the transcript and the evidence."""
        started = time.perf_counter()
        log_probs = self.log_probs(audio)
        return self.transcription_from(log_probs, audio.size / sr, started), self.assess_from(log_probs, words)

    def assess_from(self, log_probs: np.ndarray, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        """GOP evidence from the shared scorer (:func:`speech.ctc_alignment.assess_words`); [] when it does not fit."""
        if self.is_phoneme_model:
            return assess_words(log_probs, self.inventory, words, self.frame_seconds)
        spelled = [ReferenceWord(w.text, tuple(ch for ch in w.text.lower() if _letter(ch))) for w in words]
        return assess_words(log_probs, self.inventory, spelled, self.frame_seconds, units_are_phonemes=False)


def _letter(token: str) -> str:
    """A character model's token -> the lower-case letter it writes ("" for delimiters and specials)."""
    lowered = token.lower()
    return lowered if len(lowered) == 1 and (lowered.isalpha() or lowered in WORD_CHARACTERS) else ""


def _collapse(ids: np.ndarray, blank_id: int) -> list[tuple[int, int, int]]:
    """Greedy CTC decoding: (token, first frame, end frame) runs without blanks and repeats."""
    runs: list[tuple[int, int, int]] = []
    previous = -1
    for frame, token in enumerate(ids.tolist()):
        if token != previous and token != blank_id:
            runs.append((token, frame, frame + 1))
        elif token == previous and token != blank_id and runs:
            runs[-1] = (token, runs[-1][1], frame + 1)
        previous = token
    return runs


def _looks_like_phonemes(vocab: dict[str, int]) -> bool:
    ipa_only = set("əɪʊɛæɑɔʌθðʃʒŋɹɚɝː")
    return sum(any(ch in ipa_only for ch in token) for token in vocab) >= 5
