"""The hardening table: bad audio and bad text on the practice page (AppTest) and in the CLI.

Every bad input gets a short, clear message (``st.error`` / ``st.warning``), never a
traceback, and the same session then analyses a good reading. Text from the learner or
from a language model never reaches the page as live HTML, and a Hugging Face token never
shows up in the page or in the logs.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import soundfile as sf
import soxr
from practice_app import RESULT_KEY, ROOT, SPEECH, TIMEOUT, give_audio
from practice_app import analyse as _analyse
from practice_app import analyse_button as _analyse_button
from practice_app import practice_app as _app
from practice_app import use_custom_text as _set_text
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from asr_model import clear_model_cache


def _set_audio_upload(at, data: bytes, name: str = "recording.wav") -> None:
    give_audio(at, data, name, source="upload")

MANAGER_KEY = "asr_manager"
TUTOR_KEY = "tutor_engine"
GOOD_TEXT = "The ship left the harbor at noon"
GOOD_AUDIO = SPEECH / "ship_correct_slt.wav"
FAKE_TOKEN = "hf_AccentCoachFakeSecret0123456789abcdef"
SCRIPT = "<script>alert(1)</script>"
EVIL_LINK = "[click here](https://evil.example/steal)"


# -- audio inputs ---------------------------------------------------------------
def _wav(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def _speech() -> tuple[np.ndarray, int]:
    samples, rate = sf.read(GOOD_AUDIO, dtype="float32")
    return samples, rate


def _truncated() -> bytes:
    data = GOOD_AUDIO.read_bytes()
    return data[: int(len(data) * 0.7)]


def _nan_samples() -> bytes:
    samples, rate = _speech()
    samples = samples.copy()
    samples[1000:1100] = np.nan
    return _wav(samples, rate, subtype="FLOAT")


def _very_short() -> bytes:
    samples, rate = _speech()
    start = int(0.8 * rate)
    return _wav(samples[start : start + int(0.02 * rate)], rate)


def _eleven_minutes() -> bytes:
    rate = 8_000
    noise = np.random.default_rng(3).normal(0, 0.05, 11 * 60 * rate).astype(np.float32)
    return _wav(noise, rate)


def _silent() -> bytes:
    return _wav(np.zeros(3 * 16_000, dtype=np.float32), 16_000)


def _stereo_96k() -> bytes:
    samples, rate = _speech()
    high = soxr.resample(samples, rate, 96_000)
    return _wav(np.stack([high, 0.8 * high], axis=1), 96_000)


@dataclass(frozen=True)
class BadAudio:
    name: str
    make: Callable[[], bytes]
    message: str  # a fragment of the expected error, lower case
    filename: str = "recording.wav"


BAD_AUDIO = [
    BadAudio("empty", lambda: b"", "empty"),
    BadAudio("random-bytes", lambda: np.random.default_rng(1).bytes(6000), "couldn't read"),
    BadAudio("nan-samples", _nan_samples, "invalid sample values"),
    BadAudio("0.02-seconds", _very_short, "too short"),
    BadAudio("silent", _silent, "couldn't hear any speech"),
    BadAudio("text-file-named-wav", lambda: b"These are my notes, not a recording.\n" * 40, "couldn't read",
             filename="notes.wav"),
]


# -- helpers ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCENT_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ACCENT_COACH_OFFLINE_MODEL", "off")
    for name in ("HF_TOKEN", "ACCENT_COACH_LLM_BASE_URL", "ACCENT_COACH_LLM_API_KEY", "ACCENT_COACH_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(scope="module", autouse=True)
def fresh_model_cache():
    clear_model_cache()
    yield
    clear_model_cache()




def _messages(at: AppTest) -> str:
    return "\n".join([e.value for e in at.error] + [w.value for w in at.warning]).lower()


def _rendered(at: AppTest, widgets: bool = True) -> list[str]:
    """The protobuf text of every element on the page (what the browser receives).

    ``widgets=False`` leaves out input widgets, whose value is the learner's own typing
    shown back in a text box (plain text, never HTML).
    """
    found: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and (widgets or not isinstance(node, Widget)):
            found.append(str(proto))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return found


def _assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for text in _rendered(at):
        assert "Traceback (most recent call last)" not in text


def _assert_good_analysis_works(at: AppTest) -> dict:
    """The same session analyses a clear reading of the ship sentence."""
    _set_text(at, GOOD_TEXT)
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert any(s.value == "3. Your result" for s in at.subheader), _messages(at)
    result = at.session_state[RESULT_KEY]["result"]
    assert result["reference_text"] == GOOD_TEXT
    assert result["score"] >= 60
    return result


# -- audio ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", BAD_AUDIO, ids=[c.name for c in BAD_AUDIO])
def test_bad_audio_gets_a_clear_message_and_the_app_keeps_working(case: BadAudio) -> None:
    at = _app()
    _set_text(at, GOOD_TEXT)
    _set_audio_upload(at, case.make(), case.filename)
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert at.error, f"{case.name}: no error shown"
    assert case.message in at.error[0].value.lower(), at.error[0].value
    assert RESULT_KEY not in at.session_state
    _assert_good_analysis_works(at)


def test_eleven_minutes_is_refused_before_any_model_work() -> None:
    at = _app()
    _set_text(at, GOOD_TEXT)
    _set_audio_upload(at, _eleven_minutes(), "long.wav")
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert at.error and "too long" in at.error[0].value.lower(), _messages(at)
    manager = at.session_state[MANAGER_KEY]
    assert manager.counters.real_loads == 0, "the page refused the file before loading a model"
    assert manager.counters.skipped_loads == 0
    assert manager.backend is None
    _assert_good_analysis_works(at)


def test_truncated_wav_is_analysed_with_a_warning() -> None:
    at = _app()
    _set_text(at, GOOD_TEXT)
    _set_audio_upload(at, _truncated())
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert "end of this file seems to be missing" in _messages(at)
    assert RESULT_KEY in at.session_state
    _assert_good_analysis_works(at)


@pytest.mark.parametrize(
    ("name", "make", "text", "warning"),
    [
        ("8-khz", lambda: (SPEECH / "light_correct_kal_8k.wav").read_bytes(),
         "Please turn on the light in the kitchen", "low sample rate"),
        ("96-khz-stereo", _stereo_96k, GOOD_TEXT, None),
    ],
)
def test_unusual_but_valid_audio_works(name: str, make: Callable[[], bytes], text: str, warning: str | None) -> None:
    at = _app()
    _set_text(at, text)
    _set_audio_upload(at, make(), f"{name}.wav")
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert not at.error, at.error[0].value
    result = at.session_state[RESULT_KEY]["result"]
    assert result["metrics"]["completeness"] >= 70, result["transcript"]
    if warning:
        assert warning in _messages(at)
    _assert_good_analysis_works(at)


# -- text ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "text", "warning"),
    [
        ("punctuation-only", "?!? ... ,;", "punctuation"),
        ("5000-words", " ".join(["practice"] * 5000), "too long"),
        ("emoji-only", "🍕🎉🙂", "latin letters"),
        ("cyrillic", "Привет, как дела?", "latin letters"),
        ("chinese", "你好，世界", "latin letters"),
    ],
)
def test_bad_text_gets_a_warning_and_disables_analysis(name: str, text: str, warning: str) -> None:
    at = _app()
    _set_text(at, text)
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _assert_no_traceback(at)
    assert warning in _messages(at), f"{name}: {_messages(at)!r}"
    assert _analyse_button(at).disabled
    _assert_good_analysis_works(at)


def test_empty_text_disables_analysis() -> None:
    at = _app()
    _set_text(at, "")
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _assert_no_traceback(at)
    assert _analyse_button(at).disabled
    _assert_good_analysis_works(at)


def test_reading_another_sentence_scores_low_without_an_error() -> None:
    at = _app()
    _set_text(at, "My name is Anna. I live in a small house with my family.")
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert not at.error, at.error[0].value
    assert at.session_state[RESULT_KEY]["result"]["score"] <= 30
    _assert_good_analysis_works(at)


def test_emoji_inside_a_sentence_is_ignored() -> None:
    at = _app()
    _set_text(at, "The ship 🚢 left the harbor at noon 🙂")
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    words = [w["word"] for w in at.session_state[RESULT_KEY]["result"]["words"]]
    assert words == GOOD_TEXT.split()


def test_script_in_custom_text_is_shown_escaped_before_and_after_analysis() -> None:
    at = _app()
    _set_text(at, f"The ship {SCRIPT} left the harbor at noon")
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _assert_no_traceback(at)
    # the page's own scripts (recorder time, scrolling) run in iframes; the learner's never does
    assert not any(SCRIPT in text for text in _rendered(at, widgets=False))
    _analyse(at)
    _assert_no_traceback(at)
    assert RESULT_KEY in at.session_state
    # the result is drawn for the same text; then the learner edits it, so "Result for:" shows it too
    _set_text(at, f"{SCRIPT} {EVIL_LINK}")
    at.run()
    rendered = _rendered(at, widgets=False)
    assert any("Result for:" in text for text in rendered), "the old result names its own text"
    assert not any(SCRIPT in text for text in rendered)
    assert not any(EVIL_LINK in text for text in rendered)
    _assert_good_analysis_works(at)


# -- secrets -------------------------------------------------------------------------
def test_hf_token_never_reaches_the_page_or_the_log(monkeypatch, caplog) -> None:
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    caplog.set_level(logging.DEBUG)
    # the default Hub model: offline it fails (with the token in hand) and falls back
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    _set_text(at, GOOD_TEXT)
    _set_audio_upload(at, GOOD_AUDIO.read_bytes())
    at.run()
    _analyse(at)
    _assert_no_traceback(at)
    assert RESULT_KEY in at.session_state
    page = "\n".join(_rendered(at))
    assert FAKE_TOKEN not in page
    assert FAKE_TOKEN[:12] not in page
    assert FAKE_TOKEN not in caplog.text
    for record in caplog.records:
        assert FAKE_TOKEN not in str(record.args), record.name
    assert FAKE_TOKEN not in json.dumps(at.session_state[RESULT_KEY]["result"])


def test_settings_repr_hides_the_token() -> None:
    from speech.audio import AudioOptions
    from ui.session import AppSettings

    settings = AppSettings(model_name="m", hf_token=FAKE_TOKEN, audio_options=AudioOptions(), store_audio=False)
    assert FAKE_TOKEN not in repr(settings)


# -- the tutor renders model text escaped ------------------------------------------
class ScriptProvider:
    """A stand-in language model whose reply carries HTML, a script and a link."""

    name = "stub-model"

    def __init__(self) -> None:
        self.calls = 0

    def chat(self, messages, *, json_mode: bool = False, max_tokens: int = 400) -> str:
        self.calls += 1
        return json.dumps({
            "correction": f"Say 'I went' {SCRIPT}",
            "explanation": f"<img src=x onerror=alert(2)> Past tense. {EVIL_LINK}",
            "improved_version": f"I went to school yesterday. {SCRIPT}",
            "follow_up_question": "What did you do after school?",
            "has_errors": True,
        })


def test_tutor_shows_model_html_as_text() -> None:
    from conversation_tutor import ConversationTutor

    provider = ScriptProvider()
    at = _app().run()  # st.navigation registers the pages (and their url paths) on the first run
    at.switch_page("pages/conversation.py")
    at.session_state[TUTOR_KEY] = ConversationTutor(provider=provider, local_model=None)
    at.run()
    _assert_no_traceback(at)
    next(b for b in at.button if b.label == "Start conversation").click().run()
    at.chat_input[0].set_value(f"I go to school yesterday {SCRIPT}").run()
    _assert_no_traceback(at)
    assert provider.calls >= 1
    rendered = _rendered(at, widgets=False)
    page = "\n".join(rendered)
    assert "onerror" in page and "steal" in page, "the model's own reply is on the page, as text"
    for text in rendered:
        lowered = text.lower()
        assert "<script" not in lowered and "<img" not in lowered, text[:300]
        assert EVIL_LINK not in text, text[:300]


# -- the command line ----------------------------------------------------------------
def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis_pipeline", *args, "--model", "offline"],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
    )


@pytest.mark.parametrize(
    ("name", "data", "text", "message"),
    [
        ("empty", b"", GOOD_TEXT, "empty"),
        ("text-file-named-wav", b"not audio at all\n" * 40, GOOD_TEXT, "couldn't read"),
        ("eleven-minutes", None, GOOD_TEXT, "too long"),
        ("punctuation-only", None, "?!?", "punctuation"),
    ],
)
def test_cli_refuses_bad_input_with_one_line(name: str, data: bytes | None, text: str, message: str,
                                             tmp_path: Path) -> None:
    path = tmp_path / f"{name}.wav"
    if data is None:
        data = _eleven_minutes() if name == "eleven-minutes" else GOOD_AUDIO.read_bytes()
    path.write_bytes(data)
    done = _cli(str(path), text, tmp_path=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr.lower(), done.stderr
