"""The Conversation Tutor page through Streamlit's AppTest: setup, typed and spoken turns, exam, restore."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
import streamlit_mic_recorder
from streamlit.testing.v1 import AppTest

from speech.transcription import Transcription, WordSegment
from tutor import llm_provider
from tutor.topics import TOPICS

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "conversation.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def isolated(isolated_tutor):
    yield


def _start(topic: str = "travel", level: str = "A2", mode: str = "practice") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not at.exception
    at.selectbox(key="tutor_topic").set_value(topic)
    at.radio(key="tutor_level").set_value(level)
    at.radio(key="tutor_mode").set_value(mode)
    at.button[0].click().run()  # the form's "Start conversation"
    assert not at.exception
    return at


def _say(at: AppTest, text: str) -> AppTest:
    at.chat_input(key="tutor-chat-input").set_value(text).run()
    assert not at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_typed_turn_shows_the_four_parts_as_chat_bubbles() -> None:
    at = _start("travel", "A2")
    conversation = at.session_state["tutor_conversation"]
    opening = conversation.opening_question
    assert opening in TOPICS["travel"].openings["A2"]
    _say(at, "Yesterday I go to the beach with my friends.")
    text = _markdown(at)
    assert "I went" in text and "instead of" in text
    assert "**Why:**" in text and "Yesterday I went to the beach with my friends\\." in text
    roles = [message.name for message in at.chat_message]
    assert roles == ["assistant", "user", "assistant"]
    turn = at.session_state["tutor_conversation"].turns[0]
    assert turn.reply.follow_up_question.endswith("?") and turn.reply.follow_up_question in text
    # reruns keep the same opening question
    at.run()
    assert at.session_state["tutor_conversation"].opening_question == opening
    assert [m.value for m in at.metric][:2] == ["1", "1"]


def test_learner_text_is_escaped() -> None:
    at = _start()
    _say(at, "I like [this](http://example.com) <b>place</b>")
    user_bubble = at.chat_message[1]
    rendered = "\n".join(m.value for m in user_bubble.markdown)
    assert "\\[this\\]\\(http\\://example\\.com\\)" in rendered, "no live link"
    assert "<b>" not in rendered and "&lt;b&gt;" in rendered, "no HTML"


def test_exam_mode_hides_corrections_and_ends_with_an_evaluation() -> None:
    at = _start("food", "B1-B2", "exam")
    _say(at, "I goed to a restaurant yesterday.")
    _say(at, "He don't like fish.")
    text = _markdown(at)
    assert "instead of" not in text and "**Why:**" not in text
    finish = next(b for b in at.button if b.label == "Finish the exam and see my evaluation")
    finish.click().run()
    assert not at.exception
    text = _markdown(at)
    assert "Three things to practise" in text
    assert at.metric[0].label == "Estimated level"
    assert "tutor_conversation" not in at.session_state


class FakeManager:
    def __init__(self) -> None:
        self.loads = 0
        self.calls = 0

    def load_model(self, model_name, hf_token=None) -> None:
        self.loads += 1

    def transcribe(self, audio, sr=16_000) -> Transcription:
        self.calls += 1
        words = [WordSegment("i", 0, 0.2, 0.9), WordSegment("think", 0.2, 0.5, 0.2),
                 WordSegment("so", 0.5, 0.7, 0.9)]
        return Transcription("i think so", words, model_name="fake", engine="offline")


def _tone_wav() -> bytes:
    sr = 16_000
    t = np.arange(int(sr * 1.2)) / sr
    signal = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2 * 32767).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(signal.tobytes())
    return buffer.getvalue()


def test_a_spoken_turn_uses_a_fresh_recorder_and_is_never_sent_twice(monkeypatch) -> None:
    manager = FakeManager()
    keys: list[str] = []
    wav = _tone_wav()

    def fake_recorder(**kwargs):
        keys.append(kwargs["key"])
        assert kwargs["format"] == "wav"
        return {"bytes": wav, "sample_rate": 16_000, "format": "wav", "id": 1} if kwargs["key"] == "turn-0" else None

    monkeypatch.setattr(streamlit_mic_recorder, "mic_recorder", fake_recorder)
    from ui import session
    monkeypatch.setattr(session, "get_asr_manager", lambda: manager)
    at = _start("free_conversation", "B1-B2")
    assert not at.exception
    turns = at.session_state["tutor_conversation"].turns
    assert len(turns) == 1 and turns[0].transcript == "i think so"
    assert turns[0].pronunciation_hints == ("think",)
    assert "not sure about \u201cthink\u201d" in _markdown(at)
    at.run()
    at.run()
    assert manager.calls == 1  # the same recording is not transcribed again
    assert "turn-1" in keys and keys[-1] == "turn-1"


def test_a_refresh_restores_the_open_conversation_and_end_session_closes_it() -> None:
    at = _start("work", "C1-C2")
    _say(at, "I am engineer in a big company.")
    opening = at.session_state["tutor_conversation"].opening_question
    link = at.query_params["profile"]
    stranger = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()  # another browser, no link
    assert "tutor_conversation" not in stranger.session_state
    fresh = AppTest.from_file(PAGE, default_timeout=TIMEOUT)  # a refresh: a new session, same link
    fresh.query_params["profile"] = link
    fresh.run()
    assert not fresh.exception
    restored = fresh.session_state["tutor_conversation"]
    assert restored.opening_question == opening and restored.topic == "work" and restored.level == "C1-C2"
    assert [t.transcript for t in restored.turns] == ["I am engineer in a big company."]
    assert "an engineer" in _markdown(fresh)
    next(b for b in fresh.button if b.label == "End session").click().run()
    assert "tutor_conversation" not in fresh.session_state
    assert any("ended" in s.value for s in fresh.success)
    again = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    again.query_params["profile"] = link
    again.run()
    assert "tutor_conversation" not in again.session_state  # nothing open any more


def test_a_failing_language_model_service_does_not_stop_the_conversation(monkeypatch) -> None:
    monkeypatch.setenv(llm_provider.ENV_BASE_URL, "http://127.0.0.1:9/v1")
    monkeypatch.setenv(llm_provider.ENV_MODEL, "remote-model")
    monkeypatch.setenv(llm_provider.ENV_API_KEY, "sk-secret-page-key")
    at = _start()
    _say(at, "I go to Rome last year.")
    turn = at.session_state["tutor_conversation"].turns[0]
    assert turn.reply.engine == "offline-rules"
    page_text = _markdown(at) + "\n".join(c.value for c in at.caption)
    assert "could not be reached" in page_text
    assert "sk-secret-page-key" not in page_text


def test_a_reply_can_be_played_aloud(monkeypatch) -> None:
    from pronunciation import tts
    spoken: list[str] = []

    def fake_synthesize(text: str, slow: bool = False) -> bytes:
        spoken.append(text)
        return _tone_wav()

    monkeypatch.setattr(tts, "synthesize", fake_synthesize)
    at = _start("health", "A2")
    _say(at, "I walk to work every day.")
    listen = [b for b in at.button if b.label == "Listen"]
    listen[-1].click().run()
    assert not at.exception
    question = at.session_state["tutor_conversation"].turns[0].reply.follow_up_question
    assert spoken and spoken[-1].endswith(question)
    assert len(at.get("audio")) == 1
