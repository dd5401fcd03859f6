"""Accent Coach: the entry script (navigation, sidebar, session bootstrap).

Run with ``streamlit run app.py``. Pages only render and call plain modules.
"""

from __future__ import annotations

import logging

import streamlit as st

from progress.learner import log_exposure_once
from ui.sidebar import render_shell

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

log_exposure_once()

st.set_page_config(page_title="Accent Coach", page_icon="🗣️", layout="wide")

PAGES = [
    st.Page("pages/pronunciation_practice.py", title="Pronunciation Practice", icon=":material/mic:", default=True),
    st.Page("pages/conversation.py", title="Conversation Tutor", icon=":material/forum:", url_path="conversation_tutor"),
    st.Page("pages/my_progress.py", title="Progress", icon=":material/insights:", url_path="progress"),
]

navigation = st.navigation(PAGES)
render_shell()
navigation.run()
