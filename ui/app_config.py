"""Settings that come from the environment or ``.streamlit/secrets.toml``.

Every value is optional: the app runs with none of them. Secrets are read
defensively because ``st.secrets`` raises when no secrets file exists.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

logger = logging.getLogger(__name__)


def secret_section(section: str) -> Mapping[str, Any] | None:
    """``st.secrets[section]`` as a mapping, or None (no file, a broken file, no such section)."""
    try:
        secrets = st.secrets
        if not secrets.load_if_toml_exists():
            return None
        block = secrets.get(section)
    except Exception:  # a broken secrets.toml must not stop the app; the log says why
        logger.warning("could not read the [%s] section of the secrets", section, exc_info=True)
        return None
    return block if isinstance(block, Mapping) else None


def secret(section: str, key: str) -> Any | None:
    """``st.secrets[section][key]`` or None."""
    block = secret_section(section)
    return None if block is None else block.get(key)


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
