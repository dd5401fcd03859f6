"""Per-stage time of one analysis of a 5 s clip, and what the pipeline adds to the model's own work.

For each engine (the bundled offline engine: Whisper base + hama; the small pocketsphinx
engine; and a wav2vec2-base-sized CTC model with random weights, which has the compute of
the real one) it runs the full ``AnalysisPipeline.run`` several times and, separately, the
model's own work alone:

* HF CTC: the forward pass (``HFCTCBackend.log_probs``);
* offline engines: ``transcribe_and_assess`` (recognition and evidence).

Target of issue 10: the bundled engine's ``total_ms`` at most 1200 ms (model already loaded).
Usage: ``python bench/pipeline.py [--engines offline,pocketsphinx,hf_base]``.

``added_pct`` = (median pipeline total - median model stage) / median model stage, both from
the same runs; the model called alone is printed beside it as a check.
The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from analysis_pipeline import AnalysisPipeline  # noqa: E402
from asr_model import OFFLINE_MODEL, POCKETSPHINX_MODEL, ASRModelManager, clear_model_cache  # noqa: E402
from speech.audio import AudioOptions, prepare_audio  # noqa: E402
from loading import build_base_sized_model  # noqa: E402
from pronunciation.phonetics import g2p, to_reference_words  # noqa: E402

RUNS = 7
CLIP_SECONDS = 5.0
SPEECH = ROOT / "tests" / "data" / "speech"
CLIP_FILE = SPEECH / "think_correct_rms.wav"
REFERENCE = "I think we should go home now"
ENGINES = ("offline", "pocketsphinx", "hf_base")
OFFLINE_ENGINES = {"offline": OFFLINE_MODEL, "pocketsphinx": POCKETSPHINX_MODEL}


def five_second_clip() -> np.ndarray:
    """The test sentence padded with its own quiet tail to 5 s (speech about 2 s, like a real take)."""
    speech = prepare_audio(str(CLIP_FILE), AudioOptions(vad_trim=False)).samples
    target = int(CLIP_SECONDS * 16_000)
    if speech.size >= target:
        return speech[:target]
    rng = np.random.default_rng(0)
    pad = (0.002 * rng.standard_normal(target - speech.size)).astype(np.float32)
    half = pad.size // 2
    return np.concatenate([pad[:half], speech, pad[half:]])


def measure(manager: ASRModelManager, samples: np.ndarray, model_work) -> dict[str, float]:
    options = AudioOptions(vad_trim=False)
    pipeline = AnalysisPipeline(manager, options)
    pipeline.run((samples, 16_000), REFERENCE)  # warm: first G2P, first allocation
    stages: dict[str, list[float]] = {}
    totals, model_only = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = pipeline.run((samples, 16_000), REFERENCE)
        totals.append((time.perf_counter() - started) * 1000)
        for stage, ms in result.stage_ms.items():
            stages.setdefault(stage, []).append(ms)
        started = time.perf_counter()
        model_work()
        model_only.append((time.perf_counter() - started) * 1000)
    figures = {f"{stage}_ms": statistics.median(values) for stage, values in stages.items()}
    figures["total_ms"] = statistics.median(totals)
    figures["model_work_ms"] = statistics.median(model_only)
    # within the same runs: everything that is not the model's own work, over the model's work
    figures["added_pct"] = 100.0 * (figures["total_ms"] - figures["model_ms"]) / figures["model_ms"]
    # the model stage inside the pipeline against the model called alone (noise shows here)
    figures["model_stage_vs_alone_pct"] = 100.0 * (figures["model_ms"] / figures["model_work_ms"] - 1.0)
    return {k: round(v, 2) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: " + ", ".join(ENGINES))
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)}")
    samples = five_second_clip()
    words = to_reference_words(g2p(REFERENCE))
    report: dict[str, dict[str, float]] = {}

    for name in engines:
        clear_model_cache()
        if name in OFFLINE_ENGINES:
            manager = ASRModelManager(default_model=OFFLINE_ENGINES[name], device="cpu")
            manager.load_model(OFFLINE_ENGINES[name])
            engine = manager.backend
            report[name] = measure(manager, samples, lambda: engine.transcribe_and_assess(samples, 16_000, words))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "wav2vec2-base-random"
            build_base_sized_model(folder)
            hf = ASRModelManager(default_model=str(folder), device="cpu")
            hf.load_model(str(folder))
            backend = hf.backend
            report[name] = measure(hf, samples, lambda: backend.log_probs(samples))
    clear_model_cache()

    first = report[engines[0]]
    stage_names = [k for k in first if k.endswith("_ms") and k not in {"total_ms", "model_work_ms"}]
    print(f"{CLIP_SECONDS:.0f} s clip, median of {RUNS} runs (ms)")
    print(f"{'stage':24}" + "".join(f"{name:>14}" for name in report))
    for stage in stage_names + ["total_ms", "model_work_ms"]:
        print(f"{stage:24}" + "".join(f"{figures.get(stage, 0):14.1f}" for figures in report.values()))
    for engine_name, figures in report.items():
        print(f"{engine_name}: the pipeline adds {figures['added_pct']:.1f} % on top of the model's own work")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
