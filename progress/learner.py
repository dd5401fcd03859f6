"""Who is practising: the signed-in user, or a local profile the learner names.

- Streamlit authentication configured (``[auth]`` in ``.streamlit/secrets.toml``) and the
  user signed in: the learner is ``st.user`` (id = email, else ``sub:<subject>``;
  display name = name, else email). Tokens are never read or logged.
- Otherwise a local profile: a name the learner can set in the sidebar (default
  "Local learner"), kept in ``st.query_params["profile"]`` so a page refresh keeps
  it, and in session state so moving between pages keeps it too. The id is a slug of
  the name ("Anna Müller" -> "anna-muller"), so the same name finds the same history.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Literal

import streamlit as st

from ui.app_config import secret_section

logger = logging.getLogger(__name__)

DEFAULT_NAME = "Local learner"
PROFILE_PARAM = "profile"
NAME_STATE_KEY = "learner_profile_name"
NAME_INPUT_KEY = "learner_profile_input"
MAX_NAME_CHARS = 40
MAX_SLUG_CHARS = 48
AUTH_SECTION = "auth"

LearnerSource = Literal["auth", "local"]


@dataclass(frozen=True)
class Learner:
    """The person whose progress is stored. ``id`` is the storage key."""

    id: str
    display_name: str
    source: LearnerSource

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_name(name: object) -> str:
    """A display name: printable, single-spaced, at most MAX_NAME_CHARS; default when empty."""
    text = "".join(" " if ch.isspace() else ch for ch in str(name or "") if ch.isprintable()
                   or ch.isspace())
    text = " ".join(text.split())[:MAX_NAME_CHARS].strip()
    return text or DEFAULT_NAME


def slugify(name: str) -> str:
    """The profile id for a name: lower-case ASCII letters, digits and hyphens.

    Names with no ASCII letters at all ("李雷") get a stable hashed id instead of an
    empty one, so they never share a profile with each other by accident.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:MAX_SLUG_CHARS].strip("-")
    if slug:
        return slug
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest()[:12]
    return f"learner-{digest}"


def auth_configured() -> bool:
    """True when secrets.toml has an ``[auth]`` section (never fails without the file)."""
    return secret_section(AUTH_SECTION) is not None


def _signed_in_user() -> Learner | None:
    try:
        if not st.user.get("is_logged_in"):
            return None
        email = str(st.user.get("email") or "").strip().lower()
        subject = str(st.user.get("sub") or "").strip()
        name = str(st.user.get("name") or "").strip()
    except Exception:
        logger.warning("Could not read the signed-in user", exc_info=True)
        return None
    if email:
        learner_id = email
    elif subject:
        learner_id = f"sub:{subject}"
    else:
        return None
    return Learner(id=learner_id[:320], display_name=clean_name(name or email or "Learner"),
                   source="auth")


def _query_profile() -> str | None:
    try:
        value = st.query_params.get(PROFILE_PARAM)
    except Exception:
        return None
    if isinstance(value, list):  # defensive: some callers hand over lists
        value = value[-1] if value else None
    return value or None


def _local_name() -> str:
    """The local profile name: session state, else the URL, else the default."""
    name = st.session_state.get(NAME_STATE_KEY)
    if not name:
        name = clean_name(_query_profile())
        st.session_state[NAME_STATE_KEY] = name
    return clean_name(name)


def _sync_query_param(name: str) -> None:
    """Keep the profile in the URL (so a refresh keeps it); the default needs no parameter."""
    try:
        current = _query_profile()
        if name == DEFAULT_NAME:
            if current is not None:
                del st.query_params[PROFILE_PARAM]
        elif current != name:
            st.query_params[PROFILE_PARAM] = name
    except Exception:
        logger.debug("Could not update the profile query parameter", exc_info=True)


def set_profile_name(name: object) -> Learner:
    """Switch the local profile to ``name`` (cleaned); returns the new learner."""
    cleaned = clean_name(name)
    st.session_state[NAME_STATE_KEY] = cleaned
    _sync_query_param(cleaned)
    return Learner(id=slugify(cleaned), display_name=cleaned, source="local")


def current_learner() -> Learner:
    """The learner of this browser session (signed-in user, else the local profile)."""
    if auth_configured():
        user = _signed_in_user()
        if user is not None:
            return user
    name = _local_name()
    _sync_query_param(name)
    return Learner(id=slugify(name), display_name=name, source="local")


def _on_name_change() -> None:
    set_profile_name(st.session_state.get(NAME_INPUT_KEY))


def _login() -> None:
    try:
        st.login()
    except Exception:
        logger.warning("Sign-in could not start", exc_info=True)
        st.session_state["learner_login_failed"] = True


def profile_picker() -> Learner:
    """The sidebar's profile box: sign in/out when auth is configured, else a name field."""
    learner = current_learner()
    box = st.sidebar.container()
    box.subheader("Profile")
    if learner.source == "auth":
        box.caption("Signed in as")
        box.text(learner.display_name)
        if box.button("Log out", key="learner_logout"):
            st.logout()
        return learner
    if auth_configured():
        box.button("Log in", key="learner_login", on_click=_login)
        if st.session_state.pop("learner_login_failed", False):
            box.warning("Sign-in is not available right now. You can keep practising "
                        "with a local profile.")
    if not st.session_state.get(NAME_INPUT_KEY):
        st.session_state[NAME_INPUT_KEY] = learner.display_name
    box.text_input(
        "Your name",
        key=NAME_INPUT_KEY,
        max_chars=MAX_NAME_CHARS,
        on_change=_on_name_change,
        help="Your progress is saved under this name on this computer. "
             "Use the same name next time to see it again.",
    )
    return learner
