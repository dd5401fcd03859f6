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

from asr_model import BUNDLED_ENGINES, MODEL_OPTIONS, OFFLINE_LABEL, clear_model_cache
from progress.learner import profile_picker
from speech.audio import DEFAULT_MAX_SECONDS
from ui import model_status
from ui.safe_text import escape_markdown
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
    selected_model_name,
)

MAX_SECONDS_CHOICES = (15, 30, 60, 120)


MODEL_HELP = ("Which speech recognizer listens to you. The Hugging Face models are downloaded on first "
              "use and need a network connection; without one the app uses the bundled offline "
              "recognizer. Full names: ")
STATUS_POLL_S = 1.5


def _short_choice(label: str) -> str:
    """A dropdown option that fits the sidebar: "Wav2Vec2 Base", not the full Hugging Face id."""
    return label.split(" (")[0] if label in MODEL_OPTIONS and label != OFFLINE_LABEL else label


def _model_help() -> str:
    ids = "; ".join(f"{_short_choice(label)} = {name}" for label, name in MODEL_OPTIONS.items()
                    if name not in BUNDLED_ENGINES)
    return MODEL_HELP + ids + "."


def render_advanced_settings() -> None:
    with st.expander("Advanced Settings", icon=":material/tune:"):
        choices = list(MODEL_OPTIONS) + [LOCAL_FOLDER_CHOICE]
        st.session_state.setdefault(MODEL_CHOICE_KEY, DEFAULT_CHOICE)
        st.selectbox("Speech model", choices, key=MODEL_CHOICE_KEY, format_func=_short_choice,
                     help=_model_help())
        if st.session_state[MODEL_CHOICE_KEY] == LOCAL_FOLDER_CHOICE:
            st.text_input(
                "Model folder",
                key=LOCAL_FOLDER_KEY,
                placeholder="/path/to/a/saved/ctc/model",
                help="A folder saved with save_pretrained (model and processor).",
            )
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


def _draw_model_status(slot, details_slot) -> None:
    view = model_status.describe(get_asr_manager(), selected_model_name())
    with slot.container():
        st.markdown(f"**Speech model:** {escape_markdown(view.headline)}")
        if view.notice:
            st.caption(escape_markdown(view.notice))
        if view.notes:
            st.caption(view.note_line)
    details_slot.markdown("\n".join(f"- {label}: {escape_markdown(value)}" for label, value in view.details))


def _model_status_body() -> None:
    slot = st.empty()
    with st.expander("Details", icon=":material/info:"):
        details_slot = st.empty()
        st.button("Clear model cache", icon=":material/delete_sweep:", use_container_width=True,
                  on_click=_clear_cache)
    _shell.status_slots = (slot, details_slot)
    _draw_model_status(slot, details_slot)


def render_model_status() -> None:
    """The model in use, in plain words. While the session's warm-up runs, the status is drawn
    as a fragment that checks again every ``STATUS_POLL_S`` seconds (until the next full run)."""
    if get_asr_manager().warming_up:
        st.fragment(_model_status_body, run_every=STATUS_POLL_S)()
    else:
        _model_status_body()


def refresh_model_status() -> None:
    """Redraw the model status after a page loaded or used the model in this run."""
    slots = getattr(_shell, "status_slots", None)
    if slots is not None:
        _draw_model_status(*slots)


_shell = threading.local()
SHELL_SEEN_KEY = "shell_seen"


def render_shell() -> None:
    """Warm-up of the selected model (a new choice is warmed up too), then the sidebar widgets."""
    settings = current_settings()
    get_asr_manager().warm_up(settings.model_name, settings.hf_token)
    with st.sidebar:
        # one container per section: a section that grows (the profile's link appears after the first
        # interaction) must not shift the others, or Streamlit redraws them and closes open expanders
        with st.container():
            profile_picker()
        with st.container():
            render_model_status()
        render_advanced_settings()
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
