"""Per-browser-session objects and the settings chosen in the sidebar.

Streamlit reruns the page script on every interaction: anything created at module
level in a page is rebuilt each time. The speech model manager therefore lives in
``st.session_state`` (one per browser session) so that its early return fires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from asr_model import DEFAULT_MODEL, MODEL_OPTIONS, ASRModelManager
from speech.audio import DEFAULT_MAX_SECONDS, AudioOptions
from ui.app_config import hf_token

MANAGER_KEY = "asr_manager"

# session_state keys of the Advanced Settings widgets (see sidebar.py)
MODEL_CHOICE_KEY = "settings_model_choice"
LOCAL_FOLDER_KEY = "settings_local_folder"
VAD_KEY = "settings_vad_trim"
DENOISE_KEY = "settings_noise_reduction"
NORMALISE_KEY = "settings_normalise"
MAX_SECONDS_KEY = "settings_max_seconds"
STORE_AUDIO_KEY = "settings_store_audio"
LOCAL_FOLDER_CHOICE = "Local folder…"
DEFAULT_CHOICE = next(label for label, name in MODEL_OPTIONS.items() if name == DEFAULT_MODEL)


@dataclass(frozen=True)
class AppSettings:
    """What the learner chose in Advanced Settings (plus config from env/secrets)."""

    model_name: str
    hf_token: str | None = field(repr=False)
    audio_options: AudioOptions
    store_audio: bool


def get_asr_manager() -> ASRModelManager:
    """This browser session's model manager, created on first use."""
    if MANAGER_KEY not in st.session_state:
        st.session_state[MANAGER_KEY] = ASRModelManager(DEFAULT_MODEL, dict(MODEL_OPTIONS))
    return st.session_state[MANAGER_KEY]


def selected_model_name() -> str:
    choice = st.session_state.get(MODEL_CHOICE_KEY, DEFAULT_CHOICE)
    if choice == LOCAL_FOLDER_CHOICE:
        folder = str(st.session_state.get(LOCAL_FOLDER_KEY, "")).strip()
        return folder or DEFAULT_MODEL
    return MODEL_OPTIONS.get(choice, DEFAULT_MODEL)


def current_settings() -> AppSettings:
    state = st.session_state
    return AppSettings(
        model_name=selected_model_name(),
        hf_token=hf_token(),
        audio_options=AudioOptions(
            vad_trim=bool(state.get(VAD_KEY, True)),
            noise_reduction=bool(state.get(DENOISE_KEY, False)),
            normalise=bool(state.get(NORMALISE_KEY, True)),
            max_seconds=float(state.get(MAX_SECONDS_KEY, DEFAULT_MAX_SECONDS)),
        ),
        store_audio=bool(state.get(STORE_AUDIO_KEY, False)),
    )
