"""The real-speech corpus with expert scores (``../shared/speechocean762``) and its figures.

Shared by ``bench/real_speech.py`` (measures the app) and ``scripts/fit_calibration.py``
(fits the calibration). The corpus README defines every figure:

* sentence: Pearson correlation (PCC) of the overall score with ``utt_accuracy``;
* word: a word is mispronounced when ``word_accuracy`` < 7; AUC of the word score,
  precision / recall / F1 of the app's verdict (any status but "correct" is a flag),
  the share of the other words flagged, PCC of word score and ``word_accuracy``;
* phone: PCC of the per-sound score with ``phones_accuracy`` (the corpus's ARPAbet
  phones aligned with the app's phonemes per word first);
* transcript: word error rate of the transcript against the prompt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from pronunciation.phoneme_set import VOWELS, arpabet_to_ipa
from pronunciation.sequence_alignment import align

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT.parent / "shared" / "speechocean762"
MISPRONOUNCED_BELOW = 7.0  # word_accuracy under this counts as mispronounced
SAME_CLASS_COST = 0.6  # phone pairing: a vowel for a vowel (or consonant for consonant) is cheaper
_VOWELS = frozenset(VOWELS)


@dataclass(frozen=True)
class CorpusWord:
    word: str
    accuracy: float
    phones: tuple[str, ...]  # canonical IPA of the corpus's ARPAbet phones
    phone_accuracy: tuple[float, ...]


@dataclass(frozen=True)
class Utterance:
    utt_id: str
    speaker: str
    accuracy: float
    words: tuple[CorpusWord, ...]

    @property
    def prompt(self) -> str:
        return " ".join(w.word.lower() for w in self.words)


def corpus_available(corpus_dir: Path = CORPUS_DIR) -> bool:
    return (corpus_dir / "scores.tsv").is_file() and (corpus_dir / "audio").is_dir()


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> list[Utterance]:
    """Utterances in file order, words in prompt order."""
    rows: dict[str, list[dict[str, str]]] = {}
    with open(corpus_dir / "scores.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.setdefault(row["utt_id"], []).append(row)
    utterances = []
    for utt_id, words in rows.items():
        words.sort(key=lambda r: int(r["word_index"]))
        utterances.append(
            Utterance(
                utt_id=utt_id,
                speaker=words[0]["speaker"],
                accuracy=float(words[0]["utt_accuracy"]),
                words=tuple(
                    CorpusWord(
                        word=r["word"],
                        accuracy=float(r["word_accuracy"]),
                        phones=tuple(arpabet_to_ipa(p) for p in r["phones"].split()),
                        phone_accuracy=tuple(float(x) for x in r["phones_accuracy"].split()),
                    )
                    for r in words
                ),
            )
        )
    return utterances


def audio_path(utterance: Utterance, corpus_dir: Path = CORPUS_DIR) -> Path:
    return corpus_dir / "audio" / f"{utterance.utt_id}.flac"


def pair_phones(corpus_phones: Sequence[str], app_phones: Sequence[str]) -> list[tuple[int, int]]:
    """(corpus index, app index) of phones that stand for the same sound (British/American aware)."""

    def cost(a: str, b: str) -> float:
        if a == b:
            return 0.0
        return SAME_CLASS_COST if (a in _VOWELS) == (b in _VOWELS) else 1.0

    return [
        (s.ref, s.hyp) for s in align(list(corpus_phones), list(app_phones), cost)
        if s.ref is not None and s.hyp is not None
    ]


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def auc(scores_of_positives: Sequence[float], scores_of_negatives: Sequence[float]) -> float:
    """P(a positive scores higher than a negative), ties counted half (Mann-Whitney)."""
    pos, neg = np.asarray(scores_of_positives, float), np.asarray(scores_of_negatives, float)
    if not pos.size or not neg.size:
        return float("nan")
    values = np.concatenate([pos, neg])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    # average ranks for ties
    i = 0
    while i < values.size:
        j = i
        while j + 1 < values.size and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0) / (pos.size * neg.size))


@dataclass
class Tally:
    """Scores collected over a run; :meth:`figures` turns them into the corpus README's figures."""

    sentence_scores: list[float] = field(default_factory=list)
    sentence_experts: list[float] = field(default_factory=list)
    word_scores: list[float] = field(default_factory=list)
    word_experts: list[float] = field(default_factory=list)
    word_flags: list[bool] = field(default_factory=list)
    phone_scores: list[float] = field(default_factory=list)
    phone_experts: list[float] = field(default_factory=list)
    wer_errors: int = 0
    wer_words: int = 0

    def figures(self) -> dict[str, float]:
        experts = np.asarray(self.word_experts, float)
        scores = np.asarray(self.word_scores, float)
        flags = np.asarray(self.word_flags, bool)
        bad = experts < MISPRONOUNCED_BELOW
        true_flags = int((flags & bad).sum())
        precision = true_flags / flags.sum() if flags.sum() else float("nan")
        recall = true_flags / bad.sum() if bad.sum() else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return {
            "recordings": len(self.sentence_scores),
            "words": int(experts.size),
            "sentence_pcc": pearson(self.sentence_scores, self.sentence_experts),
            # a low score should mean mispronounced: AUC of (100 - score) for the bad words
            "word_auc": auc(-scores[bad], -scores[~bad]),
            "word_precision": precision,
            "word_recall": recall,
            "word_f1": f1,
            "good_words_flagged_pct": 100.0 * float(flags[~bad].mean()) if (~bad).any() else float("nan"),
            "word_score_pcc": pearson(scores, experts),
            "phone_pcc": pearson(self.phone_scores, self.phone_experts),
            "phones": len(self.phone_scores),
            "transcript_wer": self.wer_errors / self.wer_words if self.wer_words else float("nan"),
        }
