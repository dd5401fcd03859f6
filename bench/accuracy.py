"""How well the offline engine judges pronunciation, on the minimal-pair evaluation set.

For every clip of ``bench/eval_set/manifest.tsv`` the reference text is assessed with
:meth:`offline_engine.OfflineEngine.assess`; a word counts as correct when its level
(``word_levels.word_level(score * 100)``) is "good". Figures per split (``dev`` was
used while tuning, ``heldout`` never was) and overall:

* word accuracy: % of words judged correct in the correctly read clips;
* recall: share of swapped words (minimal-pair substitutions) that were flagged;
* false alarms: % of correctly spoken words flagged, over all clips;
* the naive baseline: recognise the clip with the language model and diff the
  transcript against the reference (a word is correct when the transcript has it);
* the ceiling of the evidence: the best recall any single threshold on the word
  scores could reach while keeping false alarms at or under 3, 5 and 10 % (a
  threshold picked with the answers, so an upper bound, not a result).

    .venv/bin/python bench/accuracy.py [--no-baseline] [--split dev|heldout] [--verbose]

The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech.offline_engine import SAMPLE_RATE, OfflineEngine  # noqa: E402
from speech.transcription import ReferenceWord  # noqa: E402
from pronunciation.word_levels import word_level  # noqa: E402

EVAL_DIR = ROOT / "bench" / "eval_set"
MANIFEST = EVAL_DIR / "manifest.tsv"
TARGETS = {"word_accuracy": 95.0, "recall": 0.9, "false_alarm_pct": 3.0}


def load_audio(path: Path) -> np.ndarray:
    """Any file soundfile reads -> float32 mono 16 kHz (the caller's job, as in the app)."""
    samples, sr = sf.read(path, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if sr != SAMPLE_RATE:
        mono = soxr.resample(mono, sr, SAMPLE_RATE).astype(np.float32)
    return mono


def reference_words(text: str) -> list[ReferenceWord]:
    try:
        from pronunciation import phonetics
        return phonetics.to_reference_words(phonetics.g2p(text))
    except ImportError:
        import gruut

        from pronunciation import phoneme_set
        out = []
        for sentence in gruut.sentences(text.lower(), lang="en-us"):
            for word in sentence:
                if word.phonemes and word.is_spoken:
                    out.append(ReferenceWord(word.text, phoneme_set.canonical_sequence(word.phonemes)))
        return out


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z']+", text)]


def baseline_flags(reference: list[str], transcript: list[str]) -> list[bool]:
    """True for each reference word the transcript lacks (a diff of the two word lists)."""
    flagged = [True] * len(reference)
    matcher = difflib.SequenceMatcher(a=reference, b=transcript, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            flagged[block.a + k] = False
    return flagged


@dataclass
class Tally:
    correct_clip_words: int = 0
    correct_clip_good: int = 0
    swapped: int = 0
    swapped_flagged: int = 0
    spoken_right: int = 0
    spoken_right_flagged: int = 0
    misses: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    swapped_scores: list[float] = field(default_factory=list)
    right_scores: list[float] = field(default_factory=list)

    def add(
        self, flags: list[bool], swapped_index: int, label: str, words: list[str],
        scores: list[float] | None = None,
    ) -> None:
        for i, flagged in enumerate(flags):
            if scores is not None:
                (self.swapped_scores if i == swapped_index else self.right_scores).append(scores[i])
            if i == swapped_index:
                self.swapped += 1
                self.swapped_flagged += flagged
                if not flagged:
                    self.misses.append(f"{label}:{words[i]}")
                continue
            self.spoken_right += 1
            self.spoken_right_flagged += flagged
            if flagged:
                self.alarms.append(f"{label}:{words[i]}")
            if swapped_index < 0:
                self.correct_clip_words += 1
                self.correct_clip_good += not flagged

    def figures(self) -> dict[str, float]:
        return {
            "word_accuracy": round(100.0 * self.correct_clip_good / max(self.correct_clip_words, 1), 2),
            "recall": round(self.swapped_flagged / max(self.swapped, 1), 3),
            "false_alarm_pct": round(100.0 * self.spoken_right_flagged / max(self.spoken_right, 1), 2),
            "n_words_correct_clips": self.correct_clip_words,
            "n_swapped": self.swapped,
        }

    def ceiling(self, false_alarm_pcts: tuple[float, ...] = (3.0, 5.0, 10.0)) -> dict[str, float]:
        """Best recall of one threshold on the scores with false alarms <= each share."""
        right = np.sort(np.asarray(self.right_scores))
        swapped = np.asarray(self.swapped_scores)
        out: dict[str, float] = {}
        if not right.size or not swapped.size:
            return out
        for pct in false_alarm_pcts:
            allowed = int(np.floor(pct / 100.0 * right.size))  # right words that may score below it
            threshold = right[allowed] if allowed < right.size else np.inf
            out[f"recall_at_{pct:g}pct_false_alarms"] = round(float(np.mean(swapped < threshold)), 3)
        return out


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--split", choices=("dev", "heldout"), default=None)
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) transcript-diff baseline")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()

    rows = read_manifest(args.manifest)
    if args.split:
        rows = [r for r in rows if r.get("split") == args.split]
    started = time.perf_counter()
    engine = OfflineEngine()
    load_s = time.perf_counter() - started

    tallies: dict[str, Tally] = defaultdict(Tally)
    base_tallies: dict[str, Tally] = defaultdict(Tally)
    assess_ms: list[float] = []
    per_second_ms: list[float] = []
    for row in rows:
        audio = load_audio(args.manifest.parent / row["path"])
        refs = reference_words(row["reference_text"])
        words = [r.text for r in refs]
        swapped = int(row["swapped_word_index"])
        if len(refs) != len(_tokens(row["reference_text"])):
            print(f"skipping {row['path']}: G2P gave {len(refs)} words", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        evidence = engine.assess(audio, SAMPLE_RATE, refs)
        elapsed = (time.perf_counter() - t0) * 1000.0
        assess_ms.append(elapsed)
        per_second_ms.append(elapsed / (len(audio) / SAMPLE_RATE))
        flags = [(not e.found) or word_level(e.score * 100.0) != "good" for e in evidence]
        scores = [e.score if e.found else -1.0 for e in evidence]
        voice = row.get("condition", "").split(" ")[0]
        label = Path(row["path"]).stem
        for key in ("all", row.get("split", "all"), f"voice {voice}"):
            if key == "all" and key != row.get("split", "all") or key != "all":
                tallies[key].add(flags, swapped, label, words, scores)
        if not args.no_baseline:
            transcript = _tokens(engine.transcribe(audio, SAMPLE_RATE).text)
            base = baseline_flags(_tokens(row["reference_text"]), transcript)
            for key in ("all", row.get("split", "all")):
                if key == "all" and key != row.get("split", "all") or key != "all":
                    base_tallies[key].add(base, swapped, label, words)

    result: dict[str, object] = {}
    print(f"clips: {len(rows)}  engine load: {load_s:.2f} s")
    for key in sorted(tallies, key=lambda k: (k.startswith("voice"), k)):
        fig = tallies[key].figures()
        print(f"{key:>22}: word accuracy {fig['word_accuracy']:6.2f} %  recall {fig['recall']:.3f}  "
              f"false alarms {fig['false_alarm_pct']:5.2f} %  ({fig['n_words_correct_clips']} words in correct "
              f"clips, {fig['n_swapped']} swaps)")
        if not key.startswith("voice"):
            ceiling = tallies[key].ceiling()
            fig.update(ceiling)
            result[key] = fig
            print(f"{'':>22}  ceiling of the evidence: " + ", ".join(
                f"recall {v:.3f} at <= {k.split('_')[2].replace('pct', ' %')} false alarms" for k, v in ceiling.items()))
        if args.verbose and not key.startswith("voice"):
            print(f"    missed swaps: {' '.join(tallies[key].misses)}")
            print(f"    false alarms: {' '.join(tallies[key].alarms)}")
    for key in sorted(base_tallies):
        fig = base_tallies[key].figures()
        print(f"{'baseline ' + key:>22}: word accuracy {fig['word_accuracy']:6.2f} %  recall {fig['recall']:.3f}  "
              f"false alarms {fig['false_alarm_pct']:5.2f} %")
        result[f"baseline_{key}"] = fig
    if assess_ms:
        timing = {
            "assess_ms_mean": round(float(np.mean(assess_ms)), 1),
            "assess_ms_p90": round(float(np.percentile(assess_ms, 90)), 1),
            "assess_ms_per_audio_s": round(float(np.mean(per_second_ms)), 1),
        }
        print(f"assess time: mean {timing['assess_ms_mean']} ms, p90 {timing['assess_ms_p90']} ms, "
              f"{timing['assess_ms_per_audio_s']} ms per second of audio")
        result["timing"] = timing
    overall = result.get("all", {})
    if isinstance(overall, dict) and overall:
        result["targets_met"] = bool(
            overall["word_accuracy"] >= TARGETS["word_accuracy"]
            and overall["recall"] >= TARGETS["recall"]
            and overall["false_alarm_pct"] <= TARGETS["false_alarm_pct"]
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
