"""The shell every page shares: the sidebar (profile, Advanced Settings, Model status) and
the session bootstrap (UI only).

``app.py`` draws it before running the chosen page. Because ``pages/`` exists,
Streamlit may also run a page file directly (a deep link that arrives before
``app.py`` ever called ``st.navigation``, and every AppTest rerun): pages call
:func:`ensure_shell` first, which draws the shell when ``app.py`` did not.
"""

from __future__ import annotations

import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from asr_model import MODEL_OPTIONS, clear_model_cache
from progress.learner import profile_picker
from speech.audio import DEFAULT_MAX_SECONDS
from ui.session import (
    DEFAULT_CHOICE,
    DENOISE_KEY,
    LOCAL_FOLDER_CHOICE,
    LOCAL_FOLDER_KEY,
    MAX_SECONDS_KEY,
    MODEL_CHOICE_KEY,
    NORMALISE_KEY,
    STORE_AUDIO_KEY,
    VAD_KEY,
    current_settings,
    get_asr_manager,
)

MAX_SECONDS_CHOICES = (15, 30, 60, 120)


def render_advanced_settings() -> None:
    manager = get_asr_manager()
    with st.expander("Advanced Settings", icon=":material/tune:"):
        choices = list(MODEL_OPTIONS) + [LOCAL_FOLDER_CHOICE]
        st.session_state.setdefault(MODEL_CHOICE_KEY, DEFAULT_CHOICE)
        st.selectbox(
            "Speech model",
            choices,
            key=MODEL_CHOICE_KEY,
            help="Hugging Face models are downloaded on first use. Without a network the app "
            "uses the bundled offline recognizer.",
        )
        if st.session_state[MODEL_CHOICE_KEY] == LOCAL_FOLDER_CHOICE:
            st.text_input(
                "Model folder",
                key=LOCAL_FOLDER_KEY,
                placeholder="/path/to/a/saved/ctc/model",
                help="A folder saved with save_pretrained (model and processor).",
            )
        st.caption(f"Device: **{manager.device.upper()}**")
        st.markdown("**Audio clean-up**")
        st.toggle("Trim silence (voice activity detection)", value=True, key=VAD_KEY)
        st.toggle("Reduce background noise", value=False, key=DENOISE_KEY)
        st.toggle("Normalise volume", value=True, key=NORMALISE_KEY)
        st.session_state.setdefault(MAX_SECONDS_KEY, int(DEFAULT_MAX_SECONDS))
        st.select_slider("Longest recording (seconds)", MAX_SECONDS_CHOICES, key=MAX_SECONDS_KEY)
        st.toggle(
            "Keep my recordings",
            value=False,
            key=STORE_AUDIO_KEY,
            help="Off: only scores and transcripts are saved. On: recordings are saved beside the database.",
        )


def _clear_cache() -> None:
    clear_model_cache()
    get_asr_manager().reset()
    st.toast("Model cache cleared: the next analysis loads the model again.")


def _draw_model_status(slot) -> None:
    manager = get_asr_manager()
    status = manager.status()
    with slot.container():
        if manager.model_name:
            st.markdown(f"**In use:** {status['model']} on {status['device'].upper()}")
        else:
            st.markdown(f"**In use:** not loaded yet ({status['device'].upper()})")
        if status["notice"]:
            st.caption(status["notice"])
        session, process = status["session"], status["process"]
        left, right = st.columns(2)
        left.metric("Loads (session)", session["real_loads"])
        right.metric("Skipped (session)", session["skipped_loads"])
        left.metric("Loads (server)", process["real_loads"])
        right.metric("Skipped (server)", process["skipped_loads"])
        st.caption(
            f"Load time: {session['load_seconds']:.2f} s this session, "
            f"{process['load_seconds']:.2f} s on the server; failed loads: {process['failed_loads']}."
        )


def render_model_status() -> None:
    with st.expander("Model status", icon=":material/memory:"):
        slot = st.empty()
        _shell.status_slot = slot
        _draw_model_status(slot)
        st.button(
            "Clear model cache", icon=":material/delete_sweep:", use_container_width=True, on_click=_clear_cache
        )


def refresh_model_status() -> None:
    """Redraw the Model status figures after a page loaded or used the model in this run."""
    slot = getattr(_shell, "status_slot", None)
    if slot is not None:
        _draw_model_status(slot)


_shell = threading.local()
SHELL_SEEN_KEY = "shell_seen"


def render_shell() -> None:
    """Sidebar widgets, then warm-up of the selected model (once per session)."""
    with st.sidebar:
        profile_picker()
        render_advanced_settings()
        render_model_status()
    settings = current_settings()
    get_asr_manager().warm_up(settings.model_name, settings.hf_token)
    _shell.drawn = True


def ensure_shell() -> None:
    """Call first in every page: draws the shell when the page runs without ``app.py``."""
    drawn = getattr(_shell, "drawn", False)
    _shell.drawn = False
    first_run_of_session = SHELL_SEEN_KEY not in st.session_state
    st.session_state[SHELL_SEEN_KEY] = True
    if drawn:
        return
    PagesManager.uses_pages_directory = False  # from now on app.py routes every URL
    if first_run_of_session:
        st.rerun()  # nothing typed or clicked yet: let app.py draw this same URL
    render_shell()
    _shell.drawn = False
