"""How the app's scores agree with expert raters on real learner speech.

Runs the analysis pipeline exactly as the app does (``AnalysisPipeline`` with an
``ASRModelManager``, default audio clean-up) on ``../shared/speechocean762``
(recordings of learners with the scores five experts gave them; its README
defines every figure) for each engine that can run here, and prints per engine:

* sentence PCC: overall score vs ``utt_accuracy``;
* word AUC (``word_accuracy`` < 7 = mispronounced), the app's word verdict
  (anything but "correct" is a flag): precision / recall / F1, good words flagged,
  word-score PCC vs ``word_accuracy``;
* phone PCC: per-sound score vs ``phones_accuracy`` (phones paired per word);
* transcript WER against the prompt (numbers as words);
* milliseconds of analysis per second of audio;
* the spread of the figures over speakers.

Hugging Face models need the network to download; an engine that cannot load is
reported as unavailable, not measured through a fallback. The calibration of the
bundled engine was fitted on these very speakers, so its figures here are
optimistic; the honest ones are the grouped cross-validation figures stored with
the calibration (``pronunciation/calibration.json``), printed at the end.

    .venv/bin/python bench/real_speech.py [--limit N] [--engine NAME ...] [--corpus DIR]

The last line printed is a JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speechocean import (  # noqa: E402
    CORPUS_DIR,
    Tally,
    Utterance,
    audio_path,
    corpus_available,
    load_corpus,
    pair_phones,
)

logger = logging.getLogger("real_speech")

TARGETS = {  # issue 10, on training speakers with grouped cross-validation
    "sentence_pcc": (">=", 0.65),
    "word_auc": (">=", 0.85),
    "word_f1": (">=", 0.40),
    "good_words_flagged_pct": ("<=", 5.0),
    "transcript_wer": ("<=", 0.30),
}
SPREAD_FIGURES = ("sentence_pcc", "word_auc", "word_f1", "good_words_flagged_pct", "phone_pcc", "transcript_wer")
FIGURE_FORMAT = (
    ("sentence_pcc", "sentence PCC", "{:.3f}"),
    ("word_auc", "word AUC", "{:.3f}"),
    ("word_f1", "word F1", "{:.3f}"),
    ("word_precision", "precision", "{:.3f}"),
    ("word_recall", "recall", "{:.3f}"),
    ("good_words_flagged_pct", "good words flagged %", "{:.1f}"),
    ("word_score_pcc", "word-score PCC", "{:.3f}"),
    ("phone_pcc", "phone PCC", "{:.3f}"),
    ("transcript_wer", "transcript WER", "{:.3f}"),
)


def local_engines() -> list[str]:
    """The engines the app offers that need no download (the Hub models are skipped offline)."""
    from asr_model import MODEL_OPTIONS

    return [name for name in MODEL_OPTIONS.values() if "/" not in name]


def hub_engines() -> list[str]:
    from asr_model import MODEL_OPTIONS

    return [name for name in MODEL_OPTIONS.values() if "/" in name]


def run_engine(engine: str, utterances: Sequence[Utterance], corpus_dir: Path) -> dict[str, Any]:
    """Analyse every recording with ``engine``; figures, timing and per-speaker spread."""
    from analysis_pipeline import AnalysisPipeline
    from asr_model import ASRModelManager
    from speech.audio import AudioError

    manager = ASRModelManager(default_model=engine)
    started = time.perf_counter()
    manager.load_model(engine)
    load_s = time.perf_counter() - started
    if manager.model_name != engine:
        return {"unavailable": manager.notice or f"{engine} could not be loaded"}
    pipeline = AnalysisPipeline(manager)
    overall = Tally()
    by_speaker: dict[str, Tally] = defaultdict(Tally)
    analysis_s = audio_s = 0.0
    failures = 0
    for number, utterance in enumerate(utterances, start=1):
        clock = time.perf_counter()
        try:
            result = pipeline.run(str(audio_path(utterance, corpus_dir)), utterance.prompt)
        except AudioError as error:
            failures += 1
            logger.warning("%s: %s", utterance.utt_id, error)
            continue
        analysis_s += time.perf_counter() - clock
        audio_s += result.audio_seconds
        if len(result.words) != len(utterance.words):
            failures += 1
            logger.warning("%s: %d words analysed, %d rated", utterance.utt_id, len(result.words), len(utterance.words))
            continue
        for tally in (overall, by_speaker[utterance.speaker]):
            _add(tally, utterance, result)
        if number % 100 == 0:
            print(f"  {engine}: {number}/{len(utterances)}", file=sys.stderr, flush=True)
    figures = overall.figures()
    figures.update(
        failures=failures,
        load_s=round(load_s, 2),
        ms_per_audio_second=round(1000.0 * analysis_s / audio_s, 1) if audio_s else None,
        speakers=len(by_speaker),
        per_speaker=_spread({speaker: tally.figures() for speaker, tally in by_speaker.items()}),
    )
    return figures


def _add(tally: Tally, utterance: Utterance, result: Any) -> None:
    tally.sentence_scores.append(result.score)
    tally.sentence_experts.append(utterance.accuracy)
    for corpus_word, word in zip(utterance.words, result.words):
        tally.word_scores.append(word.score)
        tally.word_experts.append(corpus_word.accuracy)
        tally.word_flags.append(word.status != "correct")
        for i, j in pair_phones(corpus_word.phones, [s.phoneme for s in word.sounds]):
            tally.phone_scores.append(word.sounds[j].score)
            tally.phone_experts.append(corpus_word.phone_accuracy[i])
    tally.wer_errors += round(result.metrics.wer * len(result.words))
    tally.wer_words += len(result.words)


def _spread(per_speaker: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for name in SPREAD_FIGURES:
        values = np.array([f[name] for f in per_speaker.values() if np.isfinite(f.get(name, np.nan))])
        if values.size:
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            out[name] = {"n": int(values.size), "median": float(median), "q1": float(q1), "q3": float(q3),
                         "min": float(values.min()), "max": float(values.max())}
    return out


def calibration_figures() -> dict[str, Any] | None:
    """The grouped cross-validation figures stored with the bundled engine's calibration."""
    from pronunciation.calibration import load_calibration

    calibration = load_calibration()
    if calibration is None or not calibration.figures:
        return None
    return {"models": list(calibration.models), "fitted": calibration.fitted, **dict(calibration.figures)}


def targets_met(figures: dict[str, Any]) -> dict[str, bool]:
    met = {}
    for name, (op, bound) in TARGETS.items():
        value = figures.get(name)
        if value is None or not np.isfinite(value):
            continue
        met[name] = bool(value >= bound if op == ">=" else value <= bound)
    return met


def print_engine(engine: str, figures: dict[str, Any]) -> None:
    if "unavailable" in figures:
        print(f"{engine}: unavailable here ({figures['unavailable']})")
        return
    print(f"{engine}: {figures['recordings']} recordings, {figures['words']} words, {figures['phones']} sounds, "
          f"{figures['speakers']} speakers, {figures['failures']} failed; load {figures['load_s']} s, "
          f"{figures['ms_per_audio_second']} ms per second of audio")
    print("   " + "  ".join(f"{label} {fmt.format(figures[key])}" for key, label, fmt in FIGURE_FORMAT
                           if figures.get(key) is not None and np.isfinite(figures[key])))
    for name, stats in figures["per_speaker"].items():
        print(f"   per speaker {name}: median {stats['median']:.3f} (IQR {stats['q1']:.3f}-{stats['q3']:.3f}, "
              f"min {stats['min']:.3f}, max {stats['max']:.3f}; {stats['n']} speakers)")
    met = targets_met(figures)
    print("   targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N recordings")
    parser.add_argument("--engine", action="append", help="engine (model name) to run; default: every local one")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from analysis_pipeline import _quiet_streamlit

    _quiet_streamlit()
    if not corpus_available(args.corpus):
        message = f"skipped: the real-speech corpus is not at {args.corpus} (see ../shared/speechocean762/README.md)"
        print(message)
        print(json.dumps({"skipped": message}))
        return 0
    utterances = load_corpus(args.corpus)[: args.limit]
    engines = args.engine or local_engines()
    result: dict[str, Any] = {"recordings": len(utterances), "engines": {}}
    for engine in engines:
        figures = run_engine(engine, utterances, args.corpus)
        print_engine(engine, figures)
        result["engines"][engine] = figures
        if "unavailable" not in figures:
            figures["targets_met"] = targets_met(figures)
    if not args.engine:
        skipped = hub_engines()
        print(f"not measured: {', '.join(skipped)} (Hugging Face models need the network to download)")
        result["not_measured"] = {name: "needs the network" for name in skipped}
    cv = calibration_figures()
    if cv:
        pooled = cv["cross_validated"]
        print(f"calibration of {', '.join(cv['models'])} (fitted {cv['fitted']}): "
              f"figures on held-out speakers ({pooled['folds']}-fold cross-validation grouped by speaker), "
              "the honest ones; the figures above use a calibration fitted on all these speakers (optimistic)")
        print("   " + "  ".join(f"{label} {fmt.format(pooled[key])}" for key, label, fmt in FIGURE_FORMAT
                               if pooled.get(key) is not None))
        result["calibration_cross_validated"] = pooled
        result["calibration_cross_validated_per_speaker"] = cv.get("cross_validated_per_speaker_spread")
        result["calibration_targets_met"] = targets_met(pooled)
    print(json.dumps(_clean(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
