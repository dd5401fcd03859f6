"""Pronunciation Practice through Streamlit's AppTest: analyses, one model load, clear messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from practice_app import analyse as _analyse
from practice_app import give_audio as _give_audio
from practice_app import practice_app as _app
from practice_app import use_custom_text as _use_custom_text
from streamlit.testing.v1 import AppTest

from asr_model import POCKETSPHINX_LABEL
from ui.session import LOCAL_FOLDER_CHOICE

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
AUDIO_KEY = "practice_audio"
CATEGORY_KEY = "practice_category"
CUSTOM_TEXT_KEY = "practice_custom_text"


@pytest.fixture(autouse=True)
def isolated(isolated_models):
    yield


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_two_analyses_in_one_session_load_the_model_once(tiny_model_dir: Path) -> None:
    at = _app(LOCAL_FOLDER_CHOICE, str(tiny_model_dir))
    _use_custom_text(at, "The ship left the harbor at noon")
    _give_audio(at, (SPEECH / "ship_correct_slt.wav").read_bytes())
    at.run()
    assert not at.exception
    _analyse(at)
    assert not at.exception, at.exception
    assert any(s.value == "3. Your result" for s in at.subheader)
    _analyse(at)
    assert not at.exception
    counters = at.session_state["asr_manager"].counters
    assert counters.real_loads == 1
    assert counters.skipped_loads >= 1
    assert at.session_state["asr_manager"].model_name == str(tiny_model_dir)
    assert not any("offline recognizer" in c.value for c in at.caption)


def test_offline_engine_scores_a_correct_and_a_swapped_reading() -> None:
    at = _app()
    _use_custom_text(at, "The ship left the harbor at noon")
    _give_audio(at, (SPEECH / "ship_correct_slt.wav").read_bytes())
    at.run()
    _analyse(at)
    assert not at.exception, at.exception
    correct = at.session_state["practice_result"]["result"]
    assert correct["engine"] == "offline"
    assert correct["score"] >= 80
    assert "ac-word" in _markdown(at), "coloured word chips are drawn"
    # the bundled engine's calibrated overall score is a fitted sentence model, not the mean of the words,
    # so its parts are shown without claiming they add up
    assert "ac-score" in _markdown(at) and "Mean word score" in _markdown(at), "the score's parts"
    assert "pocketsphinx" not in _markdown(at) + "".join(c.value for c in at.caption)
    assert not at.toast, "no developer toast"

    _give_audio(at, (SPEECH / "ship_swapped_slt.wav").read_bytes())
    at.run()
    _analyse(at)
    swapped = at.session_state["practice_result"]["result"]
    ship = next(w for w in swapped["words"] if w["word"] == "ship")
    assert ship["status"] == "mispronounced"
    assert any(b.label == "Practise this word" for b in at.button)
    assert at.session_state["asr_manager"].counters.real_loads == 1


def test_the_small_pocketsphinx_engine_states_its_limits() -> None:
    at = _app(POCKETSPHINX_LABEL)
    _use_custom_text(at, "The ship left the harbor at noon")
    _give_audio(at, (SPEECH / "ship_correct_slt.wav").read_bytes())
    at.run()
    _analyse(at)
    assert not at.exception, at.exception
    result = at.session_state["practice_result"]["result"]
    assert result["engine"] == "offline" and result["model"] == "pocketsphinx-en-us"
    assert "Excellent" not in _markdown(at), "the small recognizer is no guarantee"
    assert "pocketsphinx" in _markdown(at) + "".join(c.value for c in at.caption), "the engine's limits are stated"


def test_practise_this_word_opens_a_drill_and_keeps_the_sentence() -> None:
    at = _app()
    _use_custom_text(at, "The ship left the harbor at noon")
    _give_audio(at, (SPEECH / "ship_swapped_slt.wav").read_bytes())
    at.run()
    _analyse(at)
    tips = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(tips) == len(set(tips)), "one tip per error"
    drill = next(b for b in at.button if b.label == "Practise this word")
    drill.click().run()
    assert not at.exception, at.exception
    assert at.session_state[CUSTOM_TEXT_KEY] == "The ship left the harbor at noon", "the sentence is kept"
    assert at.session_state[AUDIO_KEY], "and so is the recording"
    state = at.session_state["practice_drill"]
    assert state["word"] == "ship" and state["tip"]
    assert state["pair"]["target"] == "ship" and state["pair"]["contrast"] == "sheep"
    assert any(s.value.startswith("Practise “ship”") for s in at.subheader)
    assert not any(b.label == "Practise this word" for b in at.button)
    next(b for b in at.button if b.label == "Back to the results").click().run()
    assert "practice_drill" not in at.session_state
    assert any(b.label == "Practise this word" for b in at.button)
    next(b for b in at.button if b.label == "Try the sentence again").click().run()
    assert AUDIO_KEY not in at.session_state and "practice_result" not in at.session_state


def test_reading_another_sentence_says_so_and_leaves_progress_alone() -> None:
    at = _app()
    _use_custom_text(at, "My cat is sleeping on the sofa")
    _give_audio(at, (SPEECH / "ship_correct_slt.wav").read_bytes())
    at.run()
    _analyse(at)
    assert not at.exception, at.exception
    result = at.session_state["practice_result"]["result"]
    assert result["read_something_else"] is True
    assert at.warning and "did not sound like the sentence" in at.warning[0].value
    assert "ship" in at.warning[0].value, "what was heard is quoted"
    assert not any(b.label == "Practise this word" for b in at.button), "no drills for words never read"
    assert 'title="missing"' not in _markdown(at) and 'class="ac-score"' not in _markdown(at), "no per-word results"
    from progress.learner import KEY_STATE_KEY, storage_id
    from progress.storage import get_storage

    learner_id = storage_id(at.session_state[KEY_STATE_KEY])
    saved = get_storage().list_analyses(learner_id)
    assert len(saved) == 1 and saved[0]["result"]["read_something_else"] is True, "kept, flagged"
    summary = get_storage().progress_summary(learner_id)
    assert summary["totals"]["analyses"] == 0 and summary["most_missed_words"] == []
    next(b for b in at.button if b.label == "Practise what I said").click().run()
    assert at.session_state[CUSTOM_TEXT_KEY].lower().startswith("the ship left")
    assert "practice_result" not in at.session_state


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (np.random.default_rng(1).bytes(5000), "couldn't read"),
    ],
)
def test_bad_audio_gets_a_clear_message(data: bytes, expected: str) -> None:
    at = _app()
    _use_custom_text(at, "Hello there")
    _give_audio(at, data)
    at.run()
    _analyse(at)
    assert not at.exception
    assert at.error and expected in at.error[0].value.lower()
    assert "practice_result" not in at.session_state


def test_bad_text_disables_analysis_with_a_message() -> None:
    at = _app()
    _use_custom_text(at, "?!?")
    _give_audio(at, (SPEECH / "ship_correct_slt.wav").read_bytes())
    at.run()
    assert not at.exception
    assert at.warning and "punctuation" in at.warning[0].value
    assert next(b for b in at.button if b.label == "Analyze my pronunciation").disabled


def test_html_in_custom_text_is_escaped() -> None:
    at = _app()
    _use_custom_text(at, "Hello <script>alert(1)</script> world")
    at.run()
    assert not at.exception
    assert "<script>" not in _markdown(at)


def test_model_status_panel_counts_loads_and_clears_the_cache() -> None:
    at = _app()
    _use_custom_text(at, "I think we should go home now")
    _give_audio(at, (SPEECH / "think_correct_rms.wav").read_bytes())
    at.run()
    _analyse(at)
    _analyse(at)
    counters = at.session_state["asr_manager"].counters
    assert counters.real_loads == 1 and counters.skipped_loads >= 1
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "**Speech model:** Offline \\(bundled\\) · CPU" in sidebar
    assert "Real loads: 1 this session" in sidebar
    clear = next(b for b in at.sidebar.button if b.label == "Clear model cache")
    clear.click().run()
    assert at.session_state["asr_manager"].model is None
    _analyse(at)
    assert at.session_state["asr_manager"].counters.real_loads == 2
