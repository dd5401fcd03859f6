"""Twenty sessions analysing at once share one model: no errors, one load, one copy in memory.

Each "session" is a thread with its own :class:`asr_model.ASRModelManager` (as each browser
session has its own in ``st.session_state``) running :class:`AnalysisPipeline` on real speech.
They start together behind a barrier, so all twenty ask for the model at the same moment.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import asr_model
from analysis_pipeline import AnalysisPipeline
from asr_model import ASRModelManager, clear_model_cache

SESSIONS = 20
SPEECH = Path(__file__).resolve().parent / "data" / "speech"
READINGS = [
    (SPEECH / "ship_correct_slt.wav", "The ship left the harbor at noon"),
    (SPEECH / "think_correct_rms.wav", "I think we should go home now"),
    (SPEECH / "ship_swapped_slt.wav", "The ship left the harbor at noon"),
    (SPEECH / "think_swapped_rms.wav", "I think we should go home now"),
]
WAIT_S = 300


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clear_model_cache()
    yield
    clear_model_cache()


def _run_sessions(model_name: str) -> tuple[list[ASRModelManager], list[dict[str, Any]], int]:
    """Twenty sessions load ``model_name`` and analyse one reading each, all at once."""
    loads_before = asr_model.PROCESS_COUNTERS.real_loads
    barrier = threading.Barrier(SESSIONS)
    audio = [(path.read_bytes(), text) for path, text in READINGS]

    def session(number: int) -> tuple[ASRModelManager, dict[str, Any]]:
        manager = ASRModelManager(default_model=asr_model.OFFLINE_MODEL)
        data, text = audio[number % len(audio)]
        barrier.wait(timeout=WAIT_S)
        manager.load_model(model_name)
        result = AnalysisPipeline(manager).run(data, text, filename="reading.wav")
        return manager, result.to_dict()

    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [pool.submit(session, n) for n in range(SESSIONS)]
        done = [future.result(timeout=WAIT_S) for future in futures]  # re-raises any session's error
    managers = [manager for manager, _ in done]
    results = [result for _, result in done]
    return managers, results, asr_model.PROCESS_COUNTERS.real_loads - loads_before


def _assert_one_shared_model(managers: list[ASRModelManager], loads: int, model_name: str) -> None:
    assert loads == 1, f"{loads} real loads for {SESSIONS} sessions"
    assert all(m.model_name == model_name for m in managers)
    assert all(m.notice is None for m in managers), "no session fell back to another model"
    assert len({id(m.model) for m in managers}) == 1, "every session holds the same model object"
    assert len({id(m.processor) for m in managers}) == 1
    assert all(m.counters.real_loads == 1 for m in managers)


def test_twenty_sessions_share_the_offline_engine() -> None:
    managers, results, loads = _run_sessions(asr_model.OFFLINE_MODEL)
    _assert_one_shared_model(managers, loads, asr_model.OFFLINE_MODEL)
    assert len(results) == SESSIONS
    for number, result in enumerate(results):
        _, text = READINGS[number % len(READINGS)]
        assert result["reference_text"] == text
        assert result["engine"] == "offline"
        assert len(result["words"]) == len(text.split())
    correct = [r["score"] for n, r in enumerate(results) if "correct" in READINGS[n % len(READINGS)][0].name]
    assert min(correct) >= 70, "concurrent analyses score as well as one alone"
    # the same reading gives the same result whichever session analysed it
    by_reading: dict[int, set[int]] = {}
    for number, result in enumerate(results):
        by_reading.setdefault(number % len(READINGS), set()).add(result["score"])
    assert all(len(scores) == 1 for scores in by_reading.values()), by_reading


def test_twenty_sessions_share_one_hugging_face_model(tiny_model_dir: Path) -> None:
    name = str(tiny_model_dir)
    managers, results, loads = _run_sessions(name)
    _assert_one_shared_model(managers, loads, name)
    assert all(r["model"] == name for r in results)
    assert all(0 <= r["score"] <= 100 for r in results)
    # a later session asking again loads nothing
    late = ASRModelManager(default_model=asr_model.OFFLINE_MODEL)
    before = asr_model.PROCESS_COUNTERS.real_loads
    late.load_model(name)
    assert asr_model.PROCESS_COUNTERS.real_loads == before
    assert late.model is managers[0].model
