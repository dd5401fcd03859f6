"""The sidebar's speech-model status in plain words: the real reason for a fallback, the
model in use before the first analysis, notices that follow the learner's last choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import asr_model
from asr_model import (
    NETWORK_REASON,
    OFFLINE_MODEL,
    ASRModelManager,
    describe_folder_problem,
    looks_like_folder,
)
from ui import model_status
from ui.session import LOCAL_FOLDER_CHOICE, LOCAL_FOLDER_KEY, MODEL_CHOICE_KEY

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


@pytest.fixture(autouse=True)
def isolated(isolated_models):
    yield


def _sidebar_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption])


def _run_until_warm(at: AppTest) -> AppTest:
    at.run()
    manager = at.session_state["asr_manager"]
    if manager._warmup is not None:
        manager._warmup.exception(timeout=TIMEOUT)
    return at.run()


def test_folder_names_and_hub_ids_are_told_apart(tmp_path: Path) -> None:
    assert looks_like_folder("/no/such/folder")
    assert looks_like_folder("~/models/mine")
    assert looks_like_folder(str(tmp_path))
    assert not looks_like_folder("facebook/wav2vec2-base-960h")
    assert not looks_like_folder("nobody/not-a-real-model-id")


def test_folder_problems_are_named(tmp_path: Path, tiny_model_dir: Path) -> None:
    assert "does not exist" in describe_folder_problem(str(tmp_path / "missing"))
    a_file = tmp_path / "model.bin"
    a_file.write_bytes(b"x")
    assert "is a file, not a model folder" in describe_folder_problem(str(a_file))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "not a saved model folder" in describe_folder_problem(str(empty))
    half = tmp_path / "half"
    half.mkdir()
    (half / "config.json").write_text("{}")
    problem = describe_folder_problem(str(half))
    assert "files are missing" in problem and "weights" in problem and "processor" in problem
    assert describe_folder_problem(str(tiny_model_dir)) is None


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_bad_folder_is_never_blamed_on_the_network(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / kind
    if kind == "empty":
        folder.mkdir()
    reason = asr_model._describe_failure(OSError("Can't load; couldn't connect"), str(folder), offline=True)
    assert "network" not in reason
    assert str(folder) in reason


def test_a_hub_model_offline_is_blamed_on_the_network() -> None:
    reason = asr_model._describe_failure(OSError("offline"), "facebook/wav2vec2-base-960h", offline=True)
    assert reason == NETWORK_REASON


def test_fallback_from_a_bad_folder_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    manager = ASRModelManager(default_model="facebook/wav2vec2-base-960h", device="cpu")
    future = manager.warm_up(str(folder))
    assert future.result(timeout=TIMEOUT) == OFFLINE_MODEL
    outcome = manager.warm_up_outcome
    assert outcome is not None and outcome.model_name == OFFLINE_MODEL
    assert "does not exist" in outcome.notice and "network" not in outcome.notice


def test_status_before_any_analysis_says_what_the_warm_up_found() -> None:
    manager = ASRModelManager(device="cpu")
    manager.warm_up(None).exception(timeout=TIMEOUT)
    view = model_status.describe(manager, asr_model.DEFAULT_MODEL)
    assert view.state == "ready"
    assert view.headline == "Offline (bundled) · CPU"
    assert view.notice and "needs a network connection" in view.notice
    # the learner now picks Offline: a new warm-up, and the old notice no longer applies
    manager.warm_up(OFFLINE_MODEL).exception(timeout=TIMEOUT)
    offline = model_status.describe(manager, OFFLINE_MODEL)
    assert offline.notice is None and offline.headline == "Offline (bundled) · CPU"


def test_picking_offline_after_a_fallback_clears_the_notice() -> None:
    manager = ASRModelManager(device="cpu")
    manager.load_model(None)
    assert manager.model_name == OFFLINE_MODEL and manager.notice
    manager.load_model(OFFLINE_MODEL)
    assert manager.notice is None
    assert model_status.describe(manager, OFFLINE_MODEL).notice is None


def test_device_in_plain_words() -> None:
    assert model_status.device_words("cuda") == "GPU (CUDA)"
    assert model_status.device_words("cpu") == "CPU"


def test_sidebar_shows_the_model_in_use_before_the_first_analysis() -> None:
    at = _run_until_warm(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT))
    assert not at.exception
    text = _sidebar_text(at)
    assert "**Speech model:** Offline \\(bundled\\) · CPU" in text
    assert "needs a network connection" in text
    assert "Loaded once for everyone" in text
    assert not at.sidebar.metric, "developer counters live in the Details expander as plain lines"
    assert "Details" in [e.label for e in at.sidebar.expander]
    options = at.sidebar.selectbox[0].options
    assert "Wav2Vec2 Base" in options and all(len(option) <= 20 for option in options)
    assert "facebook/wav2vec2-base-960h" in at.sidebar.selectbox[0].help

    at.sidebar.selectbox[0].select("Offline (bundled)")
    _run_until_warm(at)
    text = _sidebar_text(at)
    assert "network" not in text.split("Loaded once")[0], "the old fallback notice is gone"


def test_sidebar_names_the_real_problem_of_a_local_folder(tmp_path: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[MODEL_CHOICE_KEY] = LOCAL_FOLDER_CHOICE
    at.session_state[LOCAL_FOLDER_KEY] = str(tmp_path / "my-model")
    _run_until_warm(at)
    assert not at.exception
    text = _sidebar_text(at)
    assert "does not exist" in text
    assert "network connection" not in text
