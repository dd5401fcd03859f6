"""The bundled offline recognizer: pocketsphinx's US-English model, with pronunciation evidence.

The Hugging Face Hub may be out of reach, yet the app must work out of the box, so
this backend needs nothing but the ``pocketsphinx`` wheel (acoustic model, CMU
dictionary, word and phone language models are inside it).

* :meth:`OfflineEngine.transcribe` is ordinary recognition with the word n-gram
  model, plus a phone-loop pass for the phones that were heard.
* :meth:`OfflineEngine.assess` scores each reference word against the audio without
  trusting the language model. Every reference word is expanded into competing
  pronunciations that differ from the expected one in one confusable phone (ship:
  ``ʃɪp`` against ``ʃip``, ``sɪp``, ``ʃɛp``...). Three grammar decodes of the clip are
  compared: one where every word must take its expected pronunciation, and two where
  every other word (even, then odd positions) may take any competitor while its
  neighbours stay fixed. The acoustic gain the chosen competitor earns over the
  expected pronunciation, from the previous word's start to the next word's end, is
  a goodness-of-pronunciation margin: near zero for a well-read word, large when
  another sound was said. A skip arc around every word, priced like an insertion
  penalty, tells whether the word was said at all.

Scores of different decodes are only comparable when every senone is scored in every
frame (``compallsen``) and the front end starts afresh for each decode (its noise
tracker and cepstral mean otherwise carry over from the previous clip).

Every pronunciation the dictionary lists for a word (``read``: /rid/ and /rɛd/) counts
as correct, in both decodes.

Measured on ``bench/eval_set`` (synthetic voices, see ``bench/accuracy.py``) this
evidence is far from perfect: with the threshold tuned on the dev split, about 97 %
of correctly read words are judged good, but only a fifth to two fifths of
minimal-pair swaps are flagged. The bundled acoustic model is small; a Hugging Face
phoneme model gives much sharper evidence where one can be loaded.

Decoders are not thread-safe; one lock per decoder serialises the sessions that
share an engine.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from pronunciation import phoneme_set
from speech.transcription import (
    PhoneEvidence,
    PhoneSegment,
    ReferenceWord,
    Transcription,
    WordEvidence,
    WordSegment,
)

logger = logging.getLogger(__name__)

OFFLINE_MODEL_NAME = "pocketsphinx-en-us"
SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100
LOG_LEVEL = "FATAL"
# Recognition settings: no second (flat-lexicon) pass and a smaller HMM budget make the
# n-gram decode about 1.5x faster with the same words on our test clips.
ASR_SETTINGS: dict[str, object] = {"fwdflat": False, "maxhmmpf": 5000, "pl_window": 10}

# A faint, fixed noise floor: the acoustic model dislikes exact digital silence.
DITHER_STD = 1e-3
DITHER_SEED = 1234

# Confusable phones (ARPAbet) that learners substitute for one another. A word's
# competitors replace one phone with one of these. The table is about English
# learners in general, not about any test sentence.
CONFUSABLE: dict[str, tuple[str, ...]] = {
    "IY": ("IH", "EY"),
    "IH": ("IY", "EH"),
    "EH": ("AE", "IH", "EY"),
    "AE": ("EH", "AH", "AA"),
    "AH": ("AA", "AE", "UH"),
    "AA": ("AH", "AO", "AE"),
    "AO": ("AA", "OW", "AH"),
    "UH": ("UW", "AH"),
    "UW": ("UH", "OW"),
    "OW": ("AO", "UW"),
    "EY": ("EH", "IY"),
    "AY": ("EY", "AA"),
    "AW": ("OW", "AA"),
    "OY": ("OW",),
    "ER": ("AH", "AA"),
    "TH": ("S", "T", "F"),
    "DH": ("D", "Z", "V"),
    "S": ("SH", "TH", "Z"),
    "Z": ("S", "DH", "JH"),
    "SH": ("S", "CH"),
    "ZH": ("SH", "JH"),
    "CH": ("SH", "JH"),
    "JH": ("Y", "CH", "ZH"),
    "V": ("B", "W", "F"),
    "B": ("V", "P"),
    "W": ("V",),
    "F": ("V", "P"),
    "P": ("B", "F"),
    "T": ("D", "TH"),
    "D": ("T", "DH"),
    "K": ("G",),
    "G": ("K",),
    "L": ("R", "N"),
    "R": ("L", "W"),
    "N": ("NG", "L"),
    "NG": ("N",),
    "M": ("N",),
    "Y": ("JH",),
    "HH": (),
}

# Scoring calibration (acoustic log-likelihood gains in nats from pocketsphinx).
# Competitor gain at the good/close border. Tuned on the dev split only: the middle of the
# range of thresholds that gives the best dev recall with at most 3 % dev false alarms.
GAIN_AT_CLOSE = 74.0
GAIN_SCALE = 12.0  # nats per logistic unit
SKIP_LOGPROB = -40.0  # log-probability of skipping a reference word in the grammar
GOOD_BORDER = 0.8


@dataclass(frozen=True)
class _Path:
    """One grammar decode: per reference word, the chosen pronunciation and its frames."""

    choice: tuple[int | None, ...]  # index into the word's candidates, None when skipped
    spans: tuple[tuple[int, int] | None, ...]  # inclusive frame span per word
    frame_scores: np.ndarray  # acoustic log-likelihood (nats) per frame along the path

    def region_score(self, first: int, last: int) -> float:
        return float(self.frame_scores[first:last + 1].sum())


@dataclass(frozen=True)
class _WordPlan:
    """A reference word's expected pronunciation and its competitors (ARPAbet)."""

    text: str
    expected_ipa: tuple[str, ...]
    candidates: tuple[tuple[str, ...], ...]  # accepted pronunciations first, [0] the expected one
    changed_at: tuple[int, ...]  # per candidate: phone index changed (-1 for accepted ones)
    n_accepted: int = 1  # candidates[:n_accepted] are correct ways to say the word


def _model_paths(model_dir: str | None) -> dict[str, str]:
    import pocketsphinx

    root = Path(model_dir) if model_dir else Path(pocketsphinx.get_model_path())
    base = root / "en-us" if (root / "en-us" / "en-us").is_dir() else root
    paths = {
        "hmm": base / "en-us",
        "dict": base / "cmudict-en-us.dict",
        "lm": base / "en-us.lm.bin",
        "phone_lm": base / "en-us-phone.lm.bin",
    }
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"pocketsphinx model files missing: {', '.join(missing)}")
    return {k: str(v) for k, v in paths.items()}


def to_pcm16(audio: np.ndarray, sr: int) -> bytes:
    """Float audio (any rate, mono or channels-last stereo) -> 16 kHz int16 bytes with dither."""
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim > 1:
        samples = samples.mean(axis=1) if samples.shape[1] <= 8 else samples.mean(axis=0)
    if sr != SAMPLE_RATE and samples.size:
        import soxr

        samples = soxr.resample(samples, sr, SAMPLE_RATE).astype(np.float32)
    rng = np.random.default_rng(DITHER_SEED)
    samples = samples + rng.normal(0.0, DITHER_STD, samples.shape).astype(np.float32)
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16).tobytes()


def _pron_name(phones: Sequence[str]) -> str:
    return "~" + "_".join(phones).lower()


def plan_word(word: ReferenceWord, variants: Sequence[Sequence[str]] = ()) -> _WordPlan:
    """Expected ARPAbet pronunciation of a reference word, its accepted variants and its competitors.

    ``variants`` are other correct pronunciations (the dictionary's: "the" as ``DH IY``,
    "read" as ``R EH D``, "on" as ``AO N``); saying one of them is not an error, so they
    are never competitors. Competitors change one phone of the expected pronunciation.
    """
    expected_ipa = phoneme_set.canonical_sequence(word.phonemes)
    arpa = tuple(a for a in (phoneme_set.ipa_to_arpabet(p) for p in expected_ipa) if a)
    candidates: list[tuple[str, ...]] = [arpa]
    changed: list[int] = [-1]
    seen = {arpa}
    if arpa:
        for variant in variants:
            accepted = tuple(variant)
            if accepted and accepted not in seen:
                seen.add(accepted)
                candidates.append(accepted)
                changed.append(-1)
    n_accepted = len(candidates)
    for i, phone in enumerate(arpa):
        for alt in CONFUSABLE.get(phone, ()):
            cand = arpa[:i] + (alt,) + arpa[i + 1:]
            if cand not in seen:
                seen.add(cand)
                candidates.append(cand)
                changed.append(i)
    return _WordPlan(word.text, expected_ipa, tuple(candidates), tuple(changed), n_accepted)


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def gain_to_score(gain: float) -> float:
    """0-1 goodness from a competitor's acoustic gain: 0 gain -> ~1, GAIN_AT_CLOSE -> 0.8."""
    offset = math.log(GOOD_BORDER / (1 - GOOD_BORDER))  # logistic(offset) == GOOD_BORDER
    return _logistic(offset + (GAIN_AT_CLOSE - gain) / GAIN_SCALE)


class OfflineEngine:
    """pocketsphinx recognition and pronunciation assessment, ready to share between sessions."""

    def __init__(self, model_dir: str | None = None) -> None:
        from pocketsphinx import Decoder

        started = time.perf_counter()
        self._paths = _model_paths(model_dir)
        common = {"hmm": self._paths["hmm"], "loglevel": LOG_LEVEL}
        self._asr = Decoder(dict=self._paths["dict"], lm=self._paths["lm"], **ASR_SETTINGS, **common)
        self._asr.add_allphone_file("allphone", self._paths["phone_lm"])
        self._asr_lock = threading.Lock()
        self._aligner = Decoder(dict=self._paths["dict"], lm=None, compallsen=True, **common)
        self._aligner_lock = threading.Lock()
        self._logmath = self._aligner.logmath
        logger.info("offline engine ready in %.2f s", time.perf_counter() - started)

    # ------------------------------------------------------------------ transcription

    def transcribe(self, audio: np.ndarray, sr: int = SAMPLE_RATE, with_phones: bool = True) -> Transcription:
        """Words (n-gram decode) and, unless ``with_phones`` is False, phones (phone-loop decode)."""
        started = time.perf_counter()
        pcm = to_pcm16(audio, sr)
        duration = len(pcm) / 2 / SAMPLE_RATE
        phones: list[PhoneSegment] = []
        with self._asr_lock:
            self._asr.activate_search()
            self._decode(self._asr, pcm)
            words = self._words_from_seg(self._asr)
            if with_phones:
                self._asr.activate_search("allphone")
                self._decode(self._asr, pcm)
                phones = self._phones_from_seg(self._asr)
                self._asr.activate_search()
        text = " ".join(w.word for w in words)
        return Transcription(
            text=text, words=words, phones=phones, model_name=OFFLINE_MODEL_NAME, engine="offline",
            duration_s=duration, elapsed_ms=(time.perf_counter() - started) * 1000.0,
        )

    @staticmethod
    def _decode(decoder, pcm: bytes) -> None:
        # A fresh front end per clip: the noise tracker and cepstral mean otherwise carry
        # over from the previous clip, and the same audio would score differently.
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()

    def _words_from_seg(self, decoder) -> list[WordSegment]:
        words = []
        for seg in decoder.seg() or ():
            token = seg.word
            if token.startswith(("<", "[", "+")) or not token:
                continue
            base = token.split("(", 1)[0]
            confidence = float(min(max(decoder.logmath.exp(seg.prob), 0.0), 1.0))
            words.append(WordSegment(base, seg.start_frame / FRAMES_PER_SECOND,
                                     (seg.end_frame + 1) / FRAMES_PER_SECOND, confidence))
        return words

    def _phones_from_seg(self, decoder) -> list[PhoneSegment]:
        phones = []
        for seg in decoder.seg() or ():
            ipa = phoneme_set.arpabet_to_ipa(seg.word)
            if not ipa:
                continue
            phones.append(PhoneSegment(ipa, seg.start_frame / FRAMES_PER_SECOND,
                                       (seg.end_frame + 1) / FRAMES_PER_SECOND, 1.0))
        return phones

    def transcribe_and_assess(
        self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]
    ) -> tuple[Transcription, list[WordEvidence]]:
        """What an analysis needs: the recognized words and the evidence per reference word.

        The phone-loop pass is skipped: the heard phones of each word come from :meth:`assess`.
        """
        return self.transcribe(audio, sr, with_phones=False), self.assess(audio, sr, words)

    # ------------------------------------------------------------------ assessment

    def assess(self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        """Acoustic evidence for every reference word, in order (see the module docstring)."""
        if not words:
            return []
        started = time.perf_counter()
        with self._aligner_lock:
            plans = [plan_word(w, self._dictionary_variants(w.text)) for w in words]
        if not any(plan.candidates[0] for plan in plans):
            return [self._word_evidence(plans, i, None, None) for i in range(len(plans))]
        pcm = to_pcm16(audio, sr)
        n = len(plans)
        with self._aligner_lock:
            self._ensure_words(plans)
            expected = self._grammar_decode(pcm, plans, free=frozenset())
            # Words free to take a competitor alternate, so each free word has fixed neighbours.
            free_paths = [
                self._grammar_decode(pcm, plans, free=frozenset(range(parity, n, 2)))
                for parity in (0, 1) if parity < n
            ]
        evidence = [
            self._word_evidence(plans, i, expected, free_paths[i % 2]) for i in range(n)
        ]
        logger.debug("assessed %d words in %.0f ms", n, (time.perf_counter() - started) * 1000)
        return evidence

    def _dictionary_variants(self, text: str) -> list[tuple[str, ...]]:
        """Every pronunciation the bundled dictionary lists for ``text`` (none for unknown words).

        Reference words arrive normalised by the G2P step; the dictionary is lower case.
        """
        key = text.lower()
        variants = []
        for k in range(1, 10):
            entry = self._aligner.lookup_word(key if k == 1 else f"{key}({k})")
            if entry is None:
                break
            variants.append(tuple(entry.split()))
        return variants

    def _ensure_words(self, plans: Sequence[_WordPlan]) -> None:
        """Add every candidate pronunciation to the aligner's dictionary (once per pronunciation).

        The grammar search built afterwards reads the dictionary, so no search refresh is needed.
        """
        for plan in plans:
            for cand in plan.candidates:
                if cand and self._aligner.lookup_word(_pron_name(cand)) is None:
                    self._aligner.add_word(_pron_name(cand), " ".join(cand), False)

    def _grammar_decode(self, pcm: bytes, plans: Sequence[_WordPlan], free: frozenset[int]) -> _Path:
        """Decode with a grammar of the reference: words in ``free`` may take any competitor."""
        from pocketsphinx import FsgModel

        lm = self._logmath
        n = len(plans)
        fsg = FsgModel("assess", lm, 1.0, n + 1)
        skip_logp = lm.ln_to_log(SKIP_LOGPROB)
        allowed: list[dict[str, int]] = []
        for i, plan in enumerate(plans):
            cands = plan.candidates if i in free else plan.candidates[:plan.n_accepted]
            names: dict[str, int] = {}
            for c, cand in enumerate(cands):
                if cand:
                    names[_pron_name(cand)] = c
                    fsg.trans_add(i, i + 1, 0, fsg.word_add(_pron_name(cand)))
            fsg.null_trans_add(i, i + 1, skip_logp)
            allowed.append(names)
        fsg.set_start_state(0)
        fsg.set_final_state(n)
        self._aligner.add_fsg("assess", fsg)
        self._aligner.activate_search("assess")
        self._decode(self._aligner, pcm)
        n_frames = max(self._aligner.n_frames(), 1)
        frame_scores = np.zeros(n_frames, dtype=np.float64)
        choice: list[int | None] = [None] * n
        spans: list[tuple[int, int] | None] = [None] * n
        next_word = 0
        for seg in self._aligner.seg() or ():
            first, last = max(seg.start_frame, 0), min(seg.end_frame, n_frames - 1)
            if last >= first:
                frame_scores[first:last + 1] = math.log(max(seg.ascore, 1e-300)) / (last - first + 1)
            name = seg.word.split("(", 1)[0]
            for i in range(next_word, n):
                if name in allowed[i]:
                    choice[i] = allowed[i][name]
                    spans[i] = (first, last)
                    next_word = i + 1
                    break
        return _Path(tuple(choice), tuple(spans), frame_scores)

    def _word_evidence(
        self, plans: Sequence[_WordPlan], i: int, expected: _Path | None, free: _Path | None
    ) -> WordEvidence:
        plan = plans[i]
        span = expected.spans[i] if expected is not None else None
        if span is None or free is None or not plan.candidates[0]:
            return WordEvidence(word=plan.text, found=False, start=0.0, end=0.0, score=0.0,
                                phones=tuple(PhoneEvidence(p, "", 0.0) for p in plan.expected_ipa),
                                heard_phonemes=())
        start, end = span[0] / FRAMES_PER_SECOND, (span[1] + 1) / FRAMES_PER_SECOND
        chosen = free.choice[i]
        gain = 0.0
        if chosen is not None and chosen >= plan.n_accepted:
            # Compare both paths over the frames from the previous word's start to the next word's end.
            before = [expected.spans[k] for k in range(i - 1, -1, -1) if expected.spans[k] is not None]
            after = [expected.spans[k] for k in range(i + 1, len(plans)) if expected.spans[k] is not None]
            first = before[0][0] if before else 0
            last = after[0][1] if after else len(expected.frame_scores) - 1
            gain = max(0.0, free.region_score(first, last) - expected.region_score(first, last))
        score = gain_to_score(gain)
        # A competitor is reported as heard only when it beats the expected pronunciation
        # clearly enough to lower the word's level; small margins are acoustic noise.
        changed = plan.changed_at[chosen] if chosen is not None and score < GOOD_BORDER else -1
        heard_ipa = list(plan.expected_ipa)
        if changed >= 0:
            heard_ipa[changed] = phoneme_set.arpabet_to_ipa(plan.candidates[chosen][changed])
        phones = []
        for j, expected_phone in enumerate(plan.expected_ipa):
            if j == changed:
                phones.append(PhoneEvidence(expected_phone, heard_ipa[j], score))
            else:
                phones.append(PhoneEvidence(expected_phone, expected_phone, max(score, gain_to_score(0.0))))
        return WordEvidence(word=plan.text, found=True, start=start, end=end, score=score,
                            phones=tuple(phones), heard_phonemes=tuple(heard_ipa))
