"""ASRModelManager: the early return really fires, fallback, device, shared cache."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

import asr_model
from asr_model import (
    OFFLINE_MODEL,
    PROCESS_COUNTERS,
    ASRModelManager,
    load_hf_model_cached,
)

pytestmark = pytest.mark.usefixtures("clean_model_cache")


class UICounter:
    """Counts the spinners and toasts the manager shows, and the model moves it makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.spinners = 0
        self.toasts = 0
        self.moves: list[str] = []
        counter = self

        @contextlib.contextmanager
        def spinner(*_args, **_kwargs):
            counter.spinners += 1
            yield

        def toast(*_args, **_kwargs):
            counter.toasts += 1

        original_to = torch.nn.Module.to

        def to(module, *args, **kwargs):
            counter.moves.append(str(args[0] if args else kwargs.get("device")))
            return original_to(module, *args, **kwargs) if not counter.moves[-1].startswith("cuda") else module

        monkeypatch.setattr(asr_model, "in_streamlit_page", lambda: True)
        monkeypatch.setattr(asr_model.st, "spinner", spinner)
        monkeypatch.setattr(asr_model.st, "toast", toast)
        monkeypatch.setattr(torch.nn.Module, "to", to)


@pytest.fixture()
def ui(monkeypatch: pytest.MonkeyPatch) -> UICounter:
    return UICounter(monkeypatch)


def _speechless_clip(seconds: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (0.05 * rng.standard_normal(int(16_000 * seconds))).astype(np.float32)


def test_first_load_loads_through_the_real_loader(tiny_model_dir: Path, ui: UICounter) -> None:
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    before = PROCESS_COUNTERS.real_loads
    manager.load_model(str(tiny_model_dir))
    assert manager.model is not None and manager.processor is not None
    assert manager.model_name == str(tiny_model_dir)
    assert not manager.model.training, "the loader puts the model in eval mode"
    assert (ui.spinners, ui.toasts, ui.moves) == (1, 0, ["cpu"]), "a spinner, no developer toast"
    assert manager.counters.real_loads == 1
    assert PROCESS_COUNTERS.real_loads == before + 1
    transcript = manager.transcribe(_speechless_clip(), 16_000)
    assert transcript.engine == "hf" and transcript.model_name == str(tiny_model_dir)


def test_repeated_load_returns_at_once(tiny_model_dir: Path, ui: UICounter) -> None:
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    manager.load_model(str(tiny_model_dir))
    model = manager.model
    for _ in range(5):
        manager.load_model(str(tiny_model_dir))
    assert (ui.spinners, ui.toasts, len(ui.moves)) == (1, 0, 1), "no spinner, toast or .to after the first load"
    assert manager.model is model
    assert manager.counters.real_loads == 1 and manager.counters.skipped_loads == 5


def test_another_model_reloads(tiny_model_dir: Path, other_tiny_model_dir: Path, ui: UICounter) -> None:
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    manager.load_model(str(tiny_model_dir))
    first = manager.model
    manager.load_model(str(other_tiny_model_dir))
    assert manager.model_name == str(other_tiny_model_dir)
    assert manager.model is not first
    assert (ui.spinners, ui.toasts, len(ui.moves)) == (2, 0, 2)
    manager.load_model(str(other_tiny_model_dir))
    assert (ui.spinners, ui.toasts, len(ui.moves)) == (2, 0, 2)


def test_bad_id_falls_back_to_the_default(tiny_model_dir: Path, ui: UICounter, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(asr_model.st, "warning", lambda message, **_: warnings.append(message))
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    manager.load_model("nobody/not-a-real-model-id")
    assert manager.model_name == str(tiny_model_dir)
    assert manager.notice is not None and "not-a-real-model-id" in manager.notice
    assert warnings == [manager.notice], "the learner sees one short message"
    assert "Traceback" not in manager.notice
    # the failed request is remembered: asking again in this session does not retry
    manager.load_model("nobody/not-a-real-model-id")
    assert manager.counters.real_loads == 1 and manager.counters.skipped_loads == 1


def test_bad_id_and_bad_default_fall_back_to_the_offline_engine(ui: UICounter, monkeypatch, tmp_path) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(asr_model.st, "warning", lambda message, **_: warnings.append(message))
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    manager = ASRModelManager(default_model=str(broken), device="cpu")
    manager.load_model("nobody/not-a-real-model-id")
    assert manager.model_name == OFFLINE_MODEL
    assert len(warnings) == 1 and "Offline" in warnings[0]
    assert ui.moves == [], "the offline engine is not a torch module and is not moved"
    result = manager.transcribe(_speechless_clip(), 16_000)
    assert result.engine == "offline"


def test_device_is_cuda_when_available(tiny_model_dir: Path, ui: UICounter, monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert asr_model.pick_device() == "cuda"
    manager = ASRModelManager(default_model=str(tiny_model_dir))
    assert manager.device == "cuda"
    manager.load_model(str(tiny_model_dir))
    assert ui.moves == ["cuda"]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert ASRModelManager(default_model=str(tiny_model_dir)).device == "cpu"


def test_two_managers_share_one_cached_load(tiny_model_dir: Path, ui: UICounter) -> None:
    before = PROCESS_COUNTERS.real_loads
    first = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    second = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    first.load_model(str(tiny_model_dir))
    second.load_model(str(tiny_model_dir))
    assert first.model is second.model, "one copy of the model in memory"
    assert PROCESS_COUNTERS.real_loads == before + 1
    assert first.counters.real_loads == second.counters.real_loads == 1


def test_concurrent_requests_load_once(tiny_model_dir: Path) -> None:
    before = PROCESS_COUNTERS.real_loads
    barrier = threading.Barrier(4)
    results: list[object] = []

    def ask() -> None:
        barrier.wait()
        results.append(load_hf_model_cached(str(tiny_model_dir), None).model)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert PROCESS_COUNTERS.real_loads == before + 1
    assert len({id(model) for model in results}) == 1


def test_warm_up_fills_the_shared_cache(tiny_model_dir: Path, ui: UICounter) -> None:
    before = PROCESS_COUNTERS.real_loads
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    future = manager.warm_up(str(tiny_model_dir))
    assert manager.warm_up(str(tiny_model_dir)) is future, "one warm-up per session"
    assert future.result(timeout=120) == str(tiny_model_dir)
    assert PROCESS_COUNTERS.real_loads == before + 1
    manager.load_model(str(tiny_model_dir))
    assert PROCESS_COUNTERS.real_loads == before + 1, "load_model finds the warmed-up model in the cache"


def test_token_is_never_in_status_or_logs(tiny_model_dir: Path, ui: UICounter, caplog) -> None:
    secret = "hf_" + "SECRETTOKEN123"
    manager = ASRModelManager(default_model=str(tiny_model_dir), device="cpu")
    with caplog.at_level("DEBUG"):
        manager.load_model("nobody/not-a-real-model-id", hf_token=secret)
    assert secret not in repr(manager.status())
    assert secret not in caplog.text
    assert secret not in (manager.notice or "")


def test_missing_hub_is_detected_without_waiting_for_retries(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert asr_model.hub_reachable() is False
