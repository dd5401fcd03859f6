"""How well the app judges pronunciation, on the synthetic minimal-pair evaluation set.

Every clip of ``bench/eval_set/manifest.tsv`` goes through the analysis pipeline as
in the app (``AnalysisPipeline`` with an ``ASRModelManager``, default audio clean-up,
the engine's calibrated scores); a word counts as correct when its status is
"correct". This set is a regression guard for the engine (TTS voices, not learners;
nothing is tuned on it): see ``bench/real_speech.py`` for real speech. Figures per
split and overall:

* word accuracy: % of words judged correct in the correctly read clips;
* recall: share of swapped words (minimal-pair substitutions) that were flagged;
* false alarms: % of correctly spoken words flagged, over all clips;
* the naive baseline: diff the engine's transcript against the reference (a word
  is correct when the transcript has it);
* the ceiling of the evidence: the best recall any single threshold on the word
  scores could reach while keeping false alarms at or under 3, 5 and 10 % (a
  threshold picked with the answers, so an upper bound, not a result).

    .venv/bin/python bench/accuracy.py [--engine offline] [--no-baseline] [--split dev|heldout] [--verbose]

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVAL_DIR = ROOT / "bench" / "eval_set"
MANIFEST = EVAL_DIR / "manifest.tsv"
TARGETS = {"word_accuracy": 95.0, "recall": 0.5, "false_alarm_pct": 3.0}  # issue 10's regression guard
DEFAULT_ENGINE = "offline"


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
    parser.add_argument("--engine", default=DEFAULT_ENGINE, help="model name, as in the app (default: offline)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the transcript-diff baseline")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()

    rows = read_manifest(args.manifest)
    if args.split:
        rows = [r for r in rows if r.get("split") == args.split]
    from analysis_pipeline import AnalysisPipeline, _quiet_streamlit
    from asr_model import ASRModelManager

    _quiet_streamlit()
    started = time.perf_counter()
    manager = ASRModelManager(default_model=args.engine)
    manager.load_model(args.engine)
    load_s = time.perf_counter() - started
    if manager.model_name != args.engine:
        print(f"engine {args.engine} could not be loaded: {manager.notice}", file=sys.stderr)
        raise SystemExit(2)
    pipeline = AnalysisPipeline(manager)

    tallies: dict[str, Tally] = defaultdict(Tally)
    base_tallies: dict[str, Tally] = defaultdict(Tally)
    assess_ms: list[float] = []
    per_second_ms: list[float] = []
    for row in rows:
        path = args.manifest.parent / row["path"]
        swapped = int(row["swapped_word_index"])
        t0 = time.perf_counter()
        analysis = pipeline.run(str(path), row["reference_text"], filename=str(path))
        elapsed = (time.perf_counter() - t0) * 1000.0
        words = [w.word for w in analysis.words]
        if len(words) != len(_tokens(row["reference_text"])):
            print(f"skipping {row['path']}: G2P gave {len(words)} words", file=sys.stderr)
            continue
        assess_ms.append(elapsed)
        per_second_ms.append(elapsed / max(analysis.audio_seconds, 0.01))
        flags = [w.status != "correct" for w in analysis.words]
        scores = [w.score / 100.0 if w.status != "missing" else -1.0 for w in analysis.words]
        voice = row.get("condition", "").split(" ")[0]
        label = Path(row["path"]).stem
        for key in ("all", row.get("split", "all"), f"voice {voice}"):
            if key == "all" and key != row.get("split", "all") or key != "all":
                tallies[key].add(flags, swapped, label, words, scores)
        if not args.no_baseline:
            base = baseline_flags(_tokens(row["reference_text"]), _tokens(analysis.transcript))
            for key in ("all", row.get("split", "all")):
                if key == "all" and key != row.get("split", "all") or key != "all":
                    base_tallies[key].add(base, swapped, label, words)

    result: dict[str, object] = {}
    print(f"clips: {len(rows)}  engine: {manager.model_name}  load: {load_s:.2f} s")
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
        print(f"analysis time: mean {timing['assess_ms_mean']} ms, p90 {timing['assess_ms_p90']} ms, "
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
