"""Throughput with 1 and 20 concurrent sessions, and the memory each extra session adds.

A "session" is what a browser session keeps in ``st.session_state``: its own
``ASRModelManager`` (sharing the one cached model) plus its current result, i.e. the
result dict, the prepared samples and the recording, exactly as the practice page stores
them. For each engine (the bundled offline engine: Whisper base + hama, one copy of the pair;
the small pocketsphinx engine; and a wav2vec2-base-sized CTC model with random weights, which
has the compute of the real one):

* ``one_session_per_s``: analyses per second, one session analysing back to back;
* ``twenty_sessions_per_s``: analyses per second, 20 sessions (threads) analysing at once,
  with the median and 95th percentile time of one analysis under that load;
* ``rss_per_session_kb``: growth of the process RSS (``/proc/self/status``) per extra
  session holding its current result; ``traced_per_session_kb``: the same from tracemalloc
  (Python and NumPy allocations only).

RSS can under-report when freed memory from the throughput runs is reused; the tracemalloc
figure is the steadier one. ``--torch-threads`` sets torch's intra-op threads (default: torch's
own choice) to compare one forward pass using every core with one core per session.

Usage: ``python bench/concurrency.py [--engines offline,pocketsphinx,hf_base] [--runs 6] [--per-session 2]
[--torch-threads N]``. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
logging.getLogger("streamlit").setLevel(logging.ERROR)

from analysis_pipeline import AnalysisPipeline  # noqa: E402
from asr_model import OFFLINE_MODEL, POCKETSPHINX_MODEL, PROCESS_COUNTERS, ASRModelManager, clear_model_cache  # noqa: E402
from speech.audio import AudioOptions, prepare_audio  # noqa: E402

SESSIONS = 20
CLIP = ROOT / "tests" / "data" / "speech" / "ship_correct_slt.wav"
REFERENCE = "The ship left the harbor at noon"
ENGINES = ("offline", "pocketsphinx", "hf_base")


def rss_kb() -> int:
    """Resident set size of this process in kB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def analyse(manager: ASRModelManager, model_name: str, data: bytes) -> dict[str, Any]:
    """What the practice page does on "Analyze": prepare, load (early return), run; the session's state."""
    options = AudioOptions()
    data = bytes(bytearray(data))  # each session holds its own copy of its recording
    prepared = prepare_audio(data, options, filename="recording.wav")
    manager.load_model(model_name)
    result = AnalysisPipeline(manager, options).run(prepared, REFERENCE)
    return {
        "asr_manager": manager,
        "practice_audio": {"bytes": data, "name": "recording.wav", "source": "microphone"},
        "practice_result": {"result": result.to_dict(), "samples": prepared.samples,
                            "sample_rate": prepared.sample_rate},
    }


def one_session(model_name: str, data: bytes, runs: int) -> float:
    manager = ASRModelManager(default_model=OFFLINE_MODEL, device="cpu")
    analyse(manager, model_name, data)  # warm: first G2P, first allocations
    started = time.perf_counter()
    for _ in range(runs):
        analyse(manager, model_name, data)
    return runs / (time.perf_counter() - started)


def twenty_sessions(model_name: str, data: bytes, per_session: int) -> dict[str, float]:
    barrier = threading.Barrier(SESSIONS + 1)
    latencies: list[float] = []
    lock = threading.Lock()

    def session() -> None:
        manager = ASRModelManager(default_model=OFFLINE_MODEL, device="cpu")
        manager.load_model(model_name)
        barrier.wait()
        for _ in range(per_session):
            started = time.perf_counter()
            analyse(manager, model_name, data)
            with lock:
                latencies.append(time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [pool.submit(session) for _ in range(SESSIONS)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "twenty_sessions_per_s": SESSIONS * per_session / elapsed,
        "latency_p50_ms": 1000 * statistics.median(latencies),
        "latency_p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
    }


def memory_per_session(model_name: str, data: bytes) -> dict[str, float]:
    """RSS and traced growth when 20 more sessions each hold a loaded manager and their current result."""
    held: list[dict[str, Any]] = [analyse(ASRModelManager(default_model=OFFLINE_MODEL, device="cpu"),
                                          model_name, data)]  # the first session: model and caches warm
    gc.collect()
    rss_before = rss_kb()
    tracemalloc.start()
    traced_before, _ = tracemalloc.get_traced_memory()
    for _ in range(SESSIONS):
        held.append(analyse(ASRModelManager(default_model=OFFLINE_MODEL, device="cpu"), model_name, data))
    gc.collect()
    traced_after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = rss_kb()
    models = {id(session["asr_manager"].model) for session in held}
    assert len(models) == 1, "every session shares the one model"
    return {
        "rss_per_session_kb": (rss_after - rss_before) / SESSIONS,
        "traced_per_session_kb": (traced_after - traced_before) / 1024 / SESSIONS,
    }


def measure(engine: str, model_name: str, data: bytes, runs: int, per_session: int) -> dict[str, float]:
    clear_model_cache()
    loads_before = PROCESS_COUNTERS.real_loads
    figures: dict[str, float] = {"one_session_per_s": one_session(model_name, data, runs)}
    figures.update(twenty_sessions(model_name, data, per_session))
    figures.update(memory_per_session(model_name, data))
    figures["model_loads"] = PROCESS_COUNTERS.real_loads - loads_before
    clear_model_cache()
    print(f"{engine}: done", file=sys.stderr, flush=True)
    return {k: round(v, 2) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: " + ", ".join(ENGINES))
    parser.add_argument("--runs", type=int, default=6, help="back-to-back analyses of the single session")
    parser.add_argument("--per-session", type=int, default=2, help="analyses per session with 20 at once")
    parser.add_argument("--torch-threads", type=int, default=0, help="torch intra-op threads (0: torch default)")
    args = parser.parse_args(argv)
    import torch

    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)}")
    data = CLIP.read_bytes()
    report: dict[str, Any] = {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                              "sessions": SESSIONS,
                              "clip_seconds": round(prepare_audio(data).duration_s, 2), "engines": {}}

    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            if engine == "offline":
                model_name = OFFLINE_MODEL
            elif engine == "pocketsphinx":
                model_name = POCKETSPHINX_MODEL
            else:
                from loading import build_base_sized_model

                folder = Path(tmp) / "wav2vec2-base-random"
                build_base_sized_model(folder)
                model_name = str(folder)
            report["engines"][engine] = measure(engine, model_name, data, args.runs, args.per_session)

    names = ["one_session_per_s", "twenty_sessions_per_s", "latency_p50_ms", "latency_p95_ms",
             "rss_per_session_kb", "traced_per_session_kb", "model_loads"]
    print(f"{SESSIONS} sessions, {report['clip_seconds']} s clip, {report['cpu_count']} CPU cores, "
          f"{report['torch_threads']} torch threads")
    print(f"{'figure':26}" + "".join(f"{engine:>12}" for engine in report["engines"]))
    for name in names:
        print(f"{name:26}" + "".join(f"{report['engines'][e][name]:12.2f}" for e in report["engines"]))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
