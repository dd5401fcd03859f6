"""Who is practising: private local profiles kept in the link, legacy name links, sign-in."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_storage import make_result

from progress import database, learner, storage

SCRIPT = """
import streamlit as st
from progress import learner
who = learner.profile_picker()
st.text(f"id={who.id}|name={who.display_name}|source={who.source}")
"""
AUTH_SECRETS = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x",
                "client_id": "y", "client_secret": "z",
                "server_metadata_url": "http://localhost/.well-known"}


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> storage.Storage:
    """Every test gets its own database (never the developer's ./data)."""
    monkeypatch.setenv(database.ENV_DATA_DIR, str(tmp_path))
    monkeypatch.setenv(database.ENV_DATABASE_URL, f"sqlite:///{tmp_path / 'learners.sqlite3'}")
    return storage.get_storage()


def _open(profile: str | None = None) -> AppTest:
    """A browser session that opens the app with ``?profile=<profile>`` (or none)."""
    at = AppTest.from_string(SCRIPT)
    if profile is not None:
        at.query_params["profile"] = profile
    return at.run()


def _identity(at: AppTest) -> dict[str, str]:
    return dict(part.split("=", 1) for part in at.main.text[-1].value.split("|"))


def _key(at: AppTest) -> str:
    return at.query_params["profile"]


def _name_box(at: AppTest):
    return at.sidebar.text_input(key=learner.NAME_INPUT_KEY)


def _sidebar_shape(at: AppTest, key: str) -> list[tuple[str, str]]:
    """What the sidebar shows, with the session's own key blanked out."""
    shape = []
    for element in at.sidebar:
        value = str(getattr(element, "value", "")).replace(key, "<key>")
        shape.append((element.type, value))
    return shape


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Anna Müller", "anna-muller"),
        ("  José   García ", "jose-garcia"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert learner.slugify(name) == slug


def test_slugify_names_without_latin_letters_are_distinct() -> None:
    first, second = learner.slugify("李雷"), learner.slugify("韩梅梅")
    assert first.startswith("learner-") and second.startswith("learner-")
    assert first != second
    assert learner.slugify("李雷") == first


def test_clean_name() -> None:
    assert learner.clean_name(None) == learner.DEFAULT_NAME
    assert learner.clean_name("   ") == learner.DEFAULT_NAME
    assert learner.clean_name("a\x00b\nc") == "ab c"
    assert len(learner.clean_name("x" * 500)) == learner.MAX_NAME_CHARS


def test_keys_are_long_random_and_never_look_like_a_slug() -> None:
    keys = {learner.new_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(learner.is_well_formed_key(key) for key in keys)
    assert learner.KEY_BYTES * 8 >= 128
    assert all(learner.legacy_learner_id(key) is None for key in keys)
    stored = learner.storage_id(next(iter(keys)))
    assert stored.startswith(learner.KEY_ID_PREFIX) and next(iter(keys)) not in stored


def test_a_new_browser_gets_its_own_private_link(db: storage.Storage) -> None:
    at = _open()
    assert not at.exception
    key = _key(at)
    assert learner.is_well_formed_key(key)
    assert _identity(at) == {"id": learner.storage_id(key), "name": learner.DEFAULT_NAME,
                             "source": "local"}
    assert db.find_learner(learner.storage_id(key)) is not None  # a refresh will find it
    assert _name_box(at).value == learner.DEFAULT_NAME
    assert any("key to your history" in caption.value for caption in at.sidebar.caption)
    assert at.sidebar.code[0].value.endswith(f"?profile={key}")
    assert not at.sidebar.button  # no login button without [auth]


def test_refresh_keeps_the_profile_and_the_name_is_only_a_label(db: storage.Storage) -> None:
    at = _open()
    key = _key(at)
    _name_box(at).input("Anna Müller").run()
    assert _key(at) == key, "changing the name keeps the key"
    assert _identity(at)["name"] == "Anna Müller"
    assert _identity(at)["id"] == learner.storage_id(key)

    refreshed = _open(key)  # a refresh or a bookmark: a new session with only the URL
    assert _key(refreshed) == key
    assert _identity(refreshed) == {"id": learner.storage_id(key), "name": "Anna Müller",
                                    "source": "local"}
    assert _name_box(refreshed).value == "Anna Müller"

    _name_box(refreshed).input("Anna").run()
    assert _identity(_open(key))["name"] == "Anna"


def test_the_same_name_in_two_browsers_is_two_learners(db: storage.Storage) -> None:
    first, second = _open(), _open()
    for at in (first, second):
        _name_box(at).input("Anna").run()
    assert _identity(first)["name"] == _identity(second)["name"] == "Anna"
    assert _key(first) != _key(second)
    assert _identity(first)["id"] != _identity(second)["id"]

    db.save_analysis(_identity(first)["id"], make_result())
    assert db.list_analyses(_identity(second)["id"]) == []


def _unknown_values(key: str) -> dict[str, str]:
    return {
        "truncated": key[:-1],
        "one character changed": key[:-1] + ("A" if key[-1] != "A" else "B"),
        "guessed": secrets.token_urlsafe(learner.KEY_BYTES),
        "storage id": learner.storage_id(key),
        "too long": key * 200,
        "path": "../../etc/passwd",
        "empty": "",
    }


def test_unknown_malformed_or_missing_keys_start_fresh_and_look_alike(db: storage.Storage) -> None:
    owner = _open()
    key = _key(owner)
    _name_box(owner).input("Anna").run()
    db.save_analysis(learner.storage_id(key), make_result())

    missing = _open()
    expected_shape = _sidebar_shape(missing, _key(missing))
    for label, value in _unknown_values(key).items():
        at = _open(value)
        assert not at.exception, label
        issued = _key(at)
        assert learner.is_well_formed_key(issued), label
        assert issued not in (key, value), f"{label}: a presented key is never adopted"
        assert _identity(at)["name"] == learner.DEFAULT_NAME, label
        assert db.list_analyses(_identity(at)["id"]) == [], label
        assert _sidebar_shape(at, issued) == expected_shape, f"{label} looks different"
    assert len(db.list_analyses(learner.storage_id(key))) == 1  # the owner's history is intact


def test_a_name_based_link_moves_its_history_to_a_new_key_once(db: storage.Storage) -> None:
    db.upsert_learner("anna-muller", "Anna Müller")
    db.save_analysis("anna-muller", make_result())
    db.save_analysis("bob", make_result())

    at = _open("Anna Müller")  # the old link held the name
    key = _key(at)
    assert learner.is_well_formed_key(key)
    assert _identity(at) == {"id": learner.storage_id(key), "name": "Anna Müller", "source": "local"}
    assert len(db.list_analyses(learner.storage_id(key))) == 1
    assert db.list_analyses("anna-muller") == [] and db.find_learner("anna-muller") is None

    again = _open("anna-muller")  # the old link (by name or by slug) now finds nothing
    assert _key(again) != key
    assert _identity(again)["name"] == learner.DEFAULT_NAME
    assert db.list_analyses(_identity(again)["id"]) == []
    assert len(db.list_analyses("bob")) == 1  # others untouched
    assert _identity(_open(key))["name"] == "Anna Müller"  # the new link keeps working


def test_a_name_link_without_history_starts_fresh(db: storage.Storage) -> None:
    at = _open("Nobody Here")
    assert _identity(at)["name"] == learner.DEFAULT_NAME
    assert db.find_learner("nobody-here") is None


def test_signed_in_and_email_ids_are_never_claimed_by_a_name_link(db: storage.Storage) -> None:
    db.save_analysis("ann@example.com", make_result())
    at = _open("ann@example.com")
    assert db.list_analyses(_identity(at)["id"]) == []
    assert len(db.list_analyses("ann@example.com")) == 1


def test_keys_never_reach_the_log(db: storage.Storage, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    db.upsert_learner("carla", "Carla")
    first = _open()
    second = _open("carla")
    third = _open(_key(first)[:-2])
    _name_box(first).input("Anna").run()
    keys = [_key(at) for at in (first, second, third)]
    assert caplog.records, "the profile events are logged (by reference)"
    for key in keys:
        assert key not in caplog.text
        assert learner.storage_id(key) not in caplog.text
    assert "carla" not in caplog.text.lower()


def test_storage_failure_still_gives_a_private_session_profile(
        db: storage.Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, learner_id):  # type: ignore[no-untyped-def]
        raise storage.StorageError(database.SAVE_FAILED_MESSAGE)

    monkeypatch.setattr(storage.Storage, "find_learner", broken)
    at = _open("Anna")
    assert not at.exception
    assert learner.is_well_formed_key(_key(at))
    assert _identity(at)["id"] == learner.storage_id(_key(at))


def test_a_profile_first_stored_by_a_save_shows_the_default_label(db: storage.Storage) -> None:
    key = learner.new_key()
    db.save_analysis(learner.storage_id(key), make_result())  # the row holds its id as label
    at = _open(key)
    assert _key(at) == key
    assert _identity(at)["name"] == learner.DEFAULT_NAME


def test_signed_in_user_when_auth_is_configured() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = AUTH_SECRETS
    at.user = {"is_logged_in": True, "email": "Ann@Example.com", "name": "Ann", "sub": "123"}
    at.query_params["profile"] = "Ann"
    at.run()
    assert not at.exception
    assert _identity(at) == {"id": "ann@example.com", "name": "Ann", "source": "auth"}
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    assert not at.sidebar.text_input and not at.sidebar.code
    assert at.query_params["profile"] == "Ann"  # the URL is left alone: the account is the key


def test_auth_configured_but_signed_out_offers_login_and_a_local_profile() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert _identity(at)["source"] == "local"
    assert learner.is_well_formed_key(_key(at))
    assert [b.label for b in at.sidebar.button] == ["Log in"]


def test_subject_is_the_id_when_there_is_no_email() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = {"cookie_secret": "x"}
    at.user = {"is_logged_in": True, "sub": "abc-123"}
    at.run()
    assert _identity(at) == {"id": "sub:abc-123", "name": "Learner", "source": "auth"}


def test_logged_in_flag_is_ignored_without_auth_section() -> None:
    at = AppTest.from_string(SCRIPT)
    at.user = {"is_logged_in": True, "email": "x@example.com"}
    at.run()
    assert _identity(at)["source"] == "local"


@pytest.mark.parametrize(
    ("address", "exposed"),
    [(None, True), ("", True), ("0.0.0.0", True), ("192.168.1.20", True), ("::", True),
     ("example.org", True), ("127.0.0.1", False), ("127.0.1.1", False), ("localhost", False),
     ("::1", False), ("[::1]", False), ("LOCALHOST", False)],
)
def test_which_addresses_other_machines_can_reach(address: str | None, exposed: bool) -> None:
    assert learner.listens_beyond_localhost(address) is exposed


@pytest.mark.parametrize(
    ("address", "auth", "warned"),
    [("0.0.0.0", False, True), (None, False, True), ("127.0.0.1", False, False),
     ("0.0.0.0", True, False)],
)
def test_start_up_warning_when_histories_hang_on_links_alone(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        address: str | None, auth: bool, warned: bool) -> None:
    monkeypatch.setattr(learner, "_exposure_checked", False)
    monkeypatch.setattr(learner.st, "get_option", lambda name: address)
    monkeypatch.setattr(learner, "auth_configured", lambda: auth)
    caplog.set_level(logging.WARNING, logger=learner.__name__)
    learner.log_exposure_once()
    learner.log_exposure_once()
    notices = [r for r in caplog.records if "protected only by its private link" in r.getMessage()]
    assert len(notices) == (1 if warned else 0)
