"""Settings that come from the environment or ``.streamlit/secrets.toml``.

Every value is optional: the app runs with none of them. Secrets are read
defensively because ``st.secrets`` raises when no secrets file exists.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st

logger = logging.getLogger(__name__)


def secret(section: str, key: str) -> Any | None:
    """``st.secrets[section][key]`` or None (no file, no section, no key)."""
    try:
        block = st.secrets.get(section)
    except Exception:  # no secrets.toml, or one that does not parse
        return None
    if block is None:
        return None
    try:
        return block.get(key)
    except AttributeError:
        return None


def setting(env_name: str, section: str, key: str, default: str | None = None) -> str | None:
    """An environment variable wins over secrets.toml, which wins over the default."""
    value = os.environ.get(env_name)
    if value:
        return value
    value = secret(section, key)
    return str(value) if value else default


def hf_token() -> str | None:
    """The Hugging Face token for private models: ``HF_TOKEN`` or ``[huggingface] token``."""
    return setting("HF_TOKEN", "huggingface", "token")
