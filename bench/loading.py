"""Model loading cost in a 10-analysis session: naive (load every time) vs guarded (early return).

Builds a wav2vec2-base-sized CTC model with random weights (the compute of the real
facebook/wav2vec2-base-960h), saves it to a temp folder and runs, in one process:

* naive:   every analysis loads the model again (loader re-run from disk, moved to the
           device), as an unguarded manager recreated on each rerun does;
* guarded: one session manager; ``load_model`` before every analysis returns at once
           after the first.

Prints a table, then as its last line a JSON object with ``cold_load_ms``,
``warm_load_ms`` (median of the guarded repeat call), ``naive_session_ms``,
``guarded_session_ms`` and ``speedup``.
"""

from __future__ import annotations

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
logging.getLogger("streamlit").setLevel(logging.ERROR)

from analysis_pipeline import AnalysisPipeline  # noqa: E402
from asr_model import ASRModelManager, clear_model_cache  # noqa: E402
from speech.audio import AudioOptions, prepare_audio  # noqa: E402

ANALYSES = 10
WARM_CALLS = 2001
REFERENCE = "The quick brown fox jumps over the lazy dog near the river bank"
CLIP_SECONDS = 5.0


def build_base_sized_model(folder: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from speech.transformers_import import transformers_classes

    Wav2Vec2Config, Wav2Vec2ForCTC = transformers_classes("Wav2Vec2Config", "Wav2Vec2ForCTC")

    from conftest import build_tiny_ctc_model

    build_tiny_ctc_model(folder)  # writes the processor (and a tiny model we overwrite)
    config = Wav2Vec2Config(vocab_size=32, pad_token_id=0)  # defaults are the base architecture
    Wav2Vec2ForCTC(config).save_pretrained(folder)


def clip() -> np.ndarray:
    speech = ROOT / "tests" / "data" / "speech"
    rng = np.random.default_rng(0)
    for path in sorted(speech.glob("*.wav")):
        prepared = prepare_audio(str(path), AudioOptions(vad_trim=False))
        samples = np.tile(prepared.samples, int(np.ceil(CLIP_SECONDS * 16_000 / prepared.samples.size)))
        return samples[: int(CLIP_SECONDS * 16_000)]
    t = np.arange(int(CLIP_SECONDS * 16_000)) / 16_000
    return (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + rng.standard_normal(t.size) * 0.1)).astype(np.float32)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "wav2vec2-base-random"
        build_base_sized_model(folder)
        samples = clip()
        prepared = prepare_audio((samples, 16_000), AudioOptions(vad_trim=False))

        # warm the process (imports, first-call allocations) so both sessions start equal
        clear_model_cache()
        warm = ASRModelManager(default_model=str(folder), device="cpu")
        warm.load_model(str(folder))
        AnalysisPipeline(warm).run(prepared, REFERENCE)

        # naive: the loader runs for every analysis
        naive_loads, naive_analyses = [], []
        started = time.perf_counter()
        for _ in range(ANALYSES):
            clear_model_cache()
            manager = ASRModelManager(default_model=str(folder), device="cpu")
            t0 = time.perf_counter()
            manager.load_model(str(folder))
            t1 = time.perf_counter()
            AnalysisPipeline(manager).run(prepared, REFERENCE)
            naive_loads.append((t1 - t0) * 1000)
            naive_analyses.append((time.perf_counter() - t1) * 1000)
        naive_session_ms = (time.perf_counter() - started) * 1000

        # guarded: one session manager, early return after the first load
        clear_model_cache()
        manager = ASRModelManager(default_model=str(folder), device="cpu")
        loads, analyses = [], []
        started = time.perf_counter()
        for _ in range(ANALYSES):
            t0 = time.perf_counter()
            manager.load_model(str(folder))
            t1 = time.perf_counter()
            AnalysisPipeline(manager).run(prepared, REFERENCE)
            loads.append((t1 - t0) * 1000)
            analyses.append((time.perf_counter() - t1) * 1000)
        guarded_session_ms = (time.perf_counter() - started) * 1000

        warm_calls = []
        for _ in range(WARM_CALLS):
            t0 = time.perf_counter_ns()
            manager.load_model(str(folder))
            warm_calls.append((time.perf_counter_ns() - t0) / 1e6)
        clear_model_cache()

    cold_load_ms = loads[0]
    warm_load_ms = statistics.median(warm_calls)
    ideal_ms = cold_load_ms + sum(analyses)
    overhead_pct = 100.0 * (guarded_session_ms - ideal_ms) / ideal_ms
    print(f"clip: {CLIP_SECONDS:.0f} s, model: wav2vec2-base-sized (random weights), {ANALYSES} analyses")
    print(f"{'':28}{'naive':>12}{'guarded':>12}")
    print(f"{'session total (ms)':28}{naive_session_ms:12.0f}{guarded_session_ms:12.0f}")
    print(f"{'load calls, median (ms)':28}{statistics.median(naive_loads):12.1f}{statistics.median(loads):12.4f}")
    print(f"{'analysis, median (ms)':28}{statistics.median(naive_analyses):12.1f}{statistics.median(analyses):12.1f}")
    print(f"cold load: {cold_load_ms:.0f} ms; guarded repeat call median: {warm_load_ms * 1000:.2f} µs")
    print(f"guarded session vs one cold load + {ANALYSES} analyses: {overhead_pct:+.2f} %")
    print(
        json.dumps(
            {
                "cold_load_ms": round(cold_load_ms, 1),
                "warm_load_ms": round(warm_load_ms, 5),
                "naive_session_ms": round(naive_session_ms, 1),
                "guarded_session_ms": round(guarded_session_ms, 1),
                "speedup": round(naive_session_ms / guarded_session_ms, 2),
                "guarded_overhead_pct": round(overhead_pct, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
