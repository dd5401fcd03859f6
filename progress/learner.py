"""Who is practising: the signed-in user, or a private local profile kept in the link.

- Streamlit authentication configured (``[auth]`` in ``.streamlit/secrets.toml``) and the
  user signed in: the learner is ``st.user`` (id = email, else ``sub:<subject>``;
  display name = name, else email). Tokens are never read or logged.
- Otherwise a local profile. Each browser gets its own unguessable key
  (``secrets.token_urlsafe``, 192 random bits), kept in the URL as ``?profile=<key>`` so
  a refresh or a bookmark keeps it, and in session state so moving between pages keeps
  it too. The link is the key: whoever has it sees that history, nobody else does. The
  storage id is a hash of the key (``key:<sha256>``), so neither the database, the audio
  folders nor the log ever hold a working link. The name typed in the sidebar is only a
  label (``learners.display_name``): the same name in another browser is another learner.
- A missing, malformed or unknown key starts a fresh profile with a new key; an unknown
  key is never adopted, so nobody can choose their key. Every such URL takes the same path
  (one look-up, one new row), and the page never says whether a key existed.
- Old links from the name-based profiles (``?profile=Anna Müller``, id ``anna-muller``)
  are honoured once: the history moves to a new key and the old link finds nothing after.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import secrets
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from progress import storage as storage_db
from ui.app_config import secret_section

logger = logging.getLogger(__name__)

DEFAULT_NAME = "Local learner"
PROFILE_PARAM = "profile"
KEY_STATE_KEY = "learner_profile_key"
NAME_STATE_KEY = "learner_profile_name"
NAME_INPUT_KEY = "learner_profile_input"
MAX_NAME_CHARS = 40
MAX_SLUG_CHARS = 48
AUTH_SECTION = "auth"

KEY_BYTES = 24  # 192 random bits; token_urlsafe spells them as 32 URL-safe characters
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
KEY_ID_PREFIX = "key:"  # slugs never hold ":", e-mail ids hold "@": the id spaces never meet
LEGACY_SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LOG_REF_CHARS = 8
MAX_PRESENTED_CHARS = 200

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
SERVER_ADDRESS_OPTION = "server.address"

LINK_NOTE = ("The link below is the key to your history: keep it private, and copy it "
             "to continue on another device.")
NAME_HELP = ("Only a label: another learner may use the same name and still never sees your "
             "history. The link below is what keeps your progress.")
EXPOSED_WARNING = (
    "The server listens on %s (not only on this computer) and sign-in is not configured: "
    "each learner's history is protected only by its private link. Configure [auth] in "
    ".streamlit/secrets.toml to make learners sign in."
)

LearnerSource = Literal["auth", "local"]


@dataclass(frozen=True)
class Learner:
    """The person whose progress is stored. ``id`` is the storage key.

    ``key`` is the secret of a local profile's link (None for a signed-in user); it is
    kept out of ``repr`` and ``to_dict`` so it cannot reach a log line by accident.
    """

    id: str
    display_name: str
    source: LearnerSource
    key: str | None = field(default=None, repr=False)

    @property
    def log_ref(self) -> str:
        """A short, one-way reference for log lines (never the key, the e-mail or the name)."""
        return log_ref(self.id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("key")
        return data


@dataclass(frozen=True)
class LocalProfile:
    """What resolving a URL gave: the key to keep and the label to show."""

    key: str
    display_name: str
    outcome: Literal["known", "moved", "new"]


def log_ref(learner_id: str) -> str:
    return hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:LOG_REF_CHARS]


def clean_name(name: object) -> str:
    """A display name: printable, single-spaced, at most MAX_NAME_CHARS; default when empty."""
    text = "".join(" " if ch.isspace() else ch for ch in str(name or "") if ch.isprintable()
                   or ch.isspace())
    text = " ".join(text.split())[:MAX_NAME_CHARS].strip()
    return text or DEFAULT_NAME


def slugify(name: str) -> str:
    """The id name-based profiles had, and a file-name-safe form of a name.

    Names with no ASCII letters at all ("李雷") get a stable hashed id instead of an
    empty one, so they never share a profile with each other by accident.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:MAX_SLUG_CHARS].strip("-")
    if slug:
        return slug
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest()[:12]
    return f"learner-{digest}"


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def is_well_formed_key(value: object) -> bool:
    return isinstance(value, str) and KEY_PATTERN.fullmatch(value) is not None


def storage_id(key: str) -> str:
    """The learner id a key is stored under: a hash, so stored ids are no working links."""
    return KEY_ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def legacy_learner_id(presented: str | None) -> str | None:
    """The id a name-based profile link (``?profile=<name or slug>``) used to open, or None."""
    if not presented or is_well_formed_key(presented):
        return None
    slug = slugify(clean_name(presented))
    return slug if LEGACY_SLUG_PATTERN.fullmatch(slug) else None


def _label(stored_name: str) -> str:
    """The stored label; a row created by a save without a name holds its id: show the default."""
    return DEFAULT_NAME if stored_name.startswith(KEY_ID_PREFIX) else clean_name(stored_name)


def open_local_profile(store: storage_db.Storage, presented: str | None,
                       display_name: str = DEFAULT_NAME) -> LocalProfile:
    """Resolve what the URL presented into the profile this browser session uses.

    A known key is kept. Anything else gets a new key (stored at once, so a refresh of the
    new link finds it): a legacy name link that still has a history moves it to that key,
    every other value (missing, malformed, unknown, guessed, truncated) starts empty. The
    look-up runs for every value alike.
    """
    presented = (presented or "")[:MAX_PRESENTED_CHARS]
    found = store.find_learner(storage_id(presented))
    if found is not None and is_well_formed_key(presented):
        return LocalProfile(presented, _label(found.display_name), "known")
    key = new_key()
    learner_id = storage_id(key)
    legacy_id = legacy_learner_id(presented)
    moved = store.move_learner(legacy_id, learner_id) if legacy_id else None
    if moved is not None:
        logger.info("Moved a name-based profile to a private link (learner %s)", log_ref(learner_id))
        return LocalProfile(key, _label(moved.display_name), "moved")
    store.upsert_learner(learner_id, display_name, source="local")
    logger.info("Started a new local profile (learner %s)", log_ref(learner_id))
    return LocalProfile(key, display_name, "new")


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


def _sync_query_param(key: str) -> None:
    """Keep the key in the URL, so a refresh or a bookmark keeps the profile."""
    try:
        if _query_profile() != key:
            st.query_params[PROFILE_PARAM] = key
    except Exception:
        logger.debug("Could not update the profile query parameter", exc_info=True)


def _resolve(presented: str | None, display_name: str = DEFAULT_NAME) -> LocalProfile:
    """open_local_profile on the shared storage; without storage, a new key for this session."""
    try:
        return open_local_profile(storage_db.get_storage(), presented, display_name)
    except (storage_db.StorageError, ValueError):
        logger.warning("Storage unavailable while opening a profile; using a new key for now")
        return LocalProfile(new_key(), display_name, "new")


def _remember(profile: LocalProfile) -> None:
    st.session_state[KEY_STATE_KEY] = profile.key
    st.session_state[NAME_STATE_KEY] = profile.display_name


def _local_learner() -> Learner:
    key = st.session_state.get(KEY_STATE_KEY)
    if not is_well_formed_key(key):
        profile = _resolve(_query_profile())
        _remember(profile)
        key = profile.key
    _sync_query_param(key)
    name = clean_name(st.session_state.get(NAME_STATE_KEY))
    return Learner(id=storage_id(key), display_name=name, source="local", key=key)


def current_learner() -> Learner:
    """The learner of this browser session (signed-in user, else the local profile)."""
    if auth_configured():
        user = _signed_in_user()
        if user is not None:
            return user
    return _local_learner()


def set_profile_name(name: object) -> Learner:
    """Change the local profile's label to ``name`` (cleaned); returns the learner."""
    cleaned = clean_name(name)
    st.session_state[NAME_STATE_KEY] = cleaned
    learner = _local_learner()
    try:
        storage_db.get_storage().upsert_learner(learner.id, cleaned, source="local")
    except (storage_db.StorageError, ValueError):
        logger.warning("Could not save the new name of learner %s", learner.log_ref)
    return learner


def renew_local_profile() -> Learner | None:
    """After "Delete my data": a new key with the same label, so the old link opens nothing.

    Does nothing for a signed-in user (the account is the key).
    """
    if st.session_state.get(KEY_STATE_KEY) is None or (
            auth_configured() and _signed_in_user() is not None):
        return None
    name = clean_name(st.session_state.get(NAME_STATE_KEY))
    profile = _resolve(None, name)
    _remember(profile)
    _sync_query_param(profile.key)
    return Learner(id=storage_id(profile.key), display_name=name, source="local", key=profile.key)


def profile_link(key: str) -> str:
    """The address that opens this profile: this page's URL (when the browser said it) plus the key."""
    try:
        base = st.context.url or ""
    except Exception:
        base = ""
    parts = urlsplit(base)
    if parts.netloc and not parts.path:
        base = urlunsplit(parts._replace(path="/"))
    return f"{base}?{PROFILE_PARAM}={key}"


# ---------------------------------------------------------------------------
# Start-up notice for servers reachable from other machines
# ---------------------------------------------------------------------------

_exposure_lock = threading.Lock()
_exposure_checked = False


def listens_beyond_localhost(address: object) -> bool:
    """True unless ``address`` is a loopback address or name (empty: Streamlit binds all)."""
    text = str(address or "").strip().strip("[]").lower()
    if not text:
        return True
    if text in LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(text).is_loopback
    except ValueError:
        return True  # a host name or an interface address: other machines may reach it


def log_exposure_once() -> None:
    """Once per server process: warn when histories are protected only by their links."""
    global _exposure_checked
    with _exposure_lock:
        if _exposure_checked:
            return
        _exposure_checked = True
    try:
        address = st.get_option(SERVER_ADDRESS_OPTION)
    except Exception:
        address = None
    if listens_beyond_localhost(address) and not auth_configured():
        logger.warning(EXPOSED_WARNING, address or "every network interface")


# ---------------------------------------------------------------------------
# The sidebar box
# ---------------------------------------------------------------------------


def _on_name_change() -> None:
    set_profile_name(st.session_state.get(NAME_INPUT_KEY))


def _login() -> None:
    try:
        st.login()
    except Exception:
        logger.warning("Sign-in could not start", exc_info=True)
        st.session_state["learner_login_failed"] = True


def profile_picker() -> Learner:
    """The sidebar's profile box: sign in/out when auth is configured, else name and link."""
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
        help=NAME_HELP,
    )
    if learner.key:
        box.caption(f":material/key: {LINK_NOTE}")
        box.code(profile_link(learner.key), language=None, wrap_lines=True)
    return learner
