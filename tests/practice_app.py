"""Driving the Pronunciation Practice page through AppTest: the seams the page tests share.

The recorder and uploader hand their bytes to ``st.session_state["practice_audio"]``;
tests put audio there directly and click "Analyze my pronunciation".
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.session import LOCAL_FOLDER_KEY, MODEL_CHOICE_KEY

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
TIMEOUT = 180
AUDIO_KEY = "practice_audio"
RESULT_KEY = "practice_result"
CATEGORY_KEY = "practice_category"
CUSTOM_TEXT_KEY = "practice_custom_text"
ANALYSE = "Analyze my pronunciation"


def practice_app(model_choice: str = "Offline (bundled)", folder: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[MODEL_CHOICE_KEY] = model_choice
    if folder:
        at.session_state[LOCAL_FOLDER_KEY] = folder
    return at


def use_custom_text(at: AppTest, text: str) -> None:
    at.session_state[CATEGORY_KEY] = "Custom text"
    at.session_state[CUSTOM_TEXT_KEY] = text


def give_audio(at: AppTest, data: bytes, name: str = "recording.wav", source: str = "microphone") -> None:
    at.session_state[AUDIO_KEY] = {"bytes": data, "name": name, "source": source}


def analyse_button(at: AppTest):
    return next(b for b in at.button if b.label == ANALYSE)


def analyse(at: AppTest) -> AppTest:
    return analyse_button(at).click().run()
