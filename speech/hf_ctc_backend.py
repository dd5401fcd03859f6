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

from pronunciation.phoneme_set import canonical_phoneme
from speech.ctc_alignment import forced_align, log_softmax, token_goodness
from speech.transcription import (
    PhoneEvidence,
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
MISSING_WORD_GOODNESS = 0.05


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
        self._upper = sum(t.isupper() for t in self._vocab) > sum(t.islower() for t in self._vocab)
        self._phoneme_ids = self._canonical_token_ids() if self.is_phoneme_model else {}
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
        """Forced alignment of the reference against the posteriors; [] when it does not fit."""
        tokens: list[int] = []
        owners: list[tuple[int, str]] = []  # (word index, canonical phoneme or "" for letters)
        for index, word in enumerate(words):
            for token, phone in self._word_tokens(word):
                tokens.append(token)
                owners.append((index, phone))
        aligned = forced_align(log_probs, tokens, self.blank_id)
        if not aligned:
            logger.info("forced alignment did not fit (%d tokens, %d frames)", len(tokens), log_probs.shape[0])
            return []
        per_word: list[list[tuple[float, str, str, float, float]]] = [[] for _ in words]
        for item, (index, phone) in zip(aligned, owners):
            goodness, best = token_goodness(log_probs, item, self.blank_id)
            heard = canonical_phoneme(self._id_to_token.get(best, "")) if phone else ""
            start, end = item.start * self.frame_seconds, item.end * self.frame_seconds
            per_word[index].append((goodness, phone, heard if goodness < 0.5 else phone, start, end))
        evidence: list[WordEvidence] = []
        for word, items in zip(words, per_word):
            if not items:
                evidence.append(WordEvidence(word.text, True, 0.0, 0.0, 1.0))
                continue
            score = float(np.mean([g for g, *_ in items]))
            phones = tuple(PhoneEvidence(p, h, g, s, e) for g, p, h, s, e in items if p)
            evidence.append(
                WordEvidence(
                    word=word.text,
                    found=score >= MISSING_WORD_GOODNESS,
                    start=items[0][3],
                    end=items[-1][4],
                    score=score,
                    phones=phones,
                    heard_phonemes=tuple(p.heard for p in phones if p.heard),
                )
            )
        return evidence

    def _word_tokens(self, word: ReferenceWord) -> list[tuple[int, str]]:
        if self.is_phoneme_model:
            return [(self._phoneme_ids[p], p) for p in word.phonemes if p in self._phoneme_ids]
        text = word.text.upper() if self._upper else word.text.lower()
        return [(self._vocab[ch], "") for ch in text if ch in self._vocab]

    def _canonical_token_ids(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for token, token_id in sorted(self._vocab.items(), key=lambda item: item[1]):
            phone = canonical_phoneme(token)
            if phone and phone not in ids:
                ids[phone] = token_id
        return ids


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
