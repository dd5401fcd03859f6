from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from progress import learner

SCRIPT = """
import streamlit as st
from progress import learner
who = learner.profile_picker()
st.text(f"id={who.id}|name={who.display_name}|source={who.source}")
"""


def _identity(at: AppTest) -> str:
    return at.main.text[-1].value


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


def test_default_local_profile() -> None:
    at = AppTest.from_string(SCRIPT).run()
    assert not at.exception
    assert _identity(at) == "id=local-learner|name=Local learner|source=local"
    assert "profile" not in at.query_params
    assert at.sidebar.text_input[0].value == "Local learner"
    assert not at.sidebar.button  # no login button without [auth]


def test_profile_name_is_kept_in_the_url_and_survives_a_refresh() -> None:
    at = AppTest.from_string(SCRIPT).run()
    at.sidebar.text_input[0].input("Anna Müller").run()
    assert _identity(at) == "id=anna-muller|name=Anna Müller|source=local"
    assert at.query_params["profile"] == "Anna Müller"

    # A refresh is a new session that only has the URL.
    refreshed = AppTest.from_string(SCRIPT)
    refreshed.query_params["profile"] = "Anna Müller"
    refreshed.run()
    assert _identity(refreshed) == "id=anna-muller|name=Anna Müller|source=local"
    assert refreshed.sidebar.text_input[0].value == "Anna Müller"


def test_clearing_the_name_returns_to_the_default_profile() -> None:
    at = AppTest.from_string(SCRIPT)
    at.query_params["profile"] = "Bob"
    at.run()
    assert _identity(at).startswith("id=bob|")
    at.sidebar.text_input[0].input("").run()
    assert _identity(at).startswith("id=local-learner|")
    assert "profile" not in at.query_params


def test_signed_in_user_when_auth_is_configured() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x", "client_id": "y", "client_secret": "z",
                          "server_metadata_url": "http://localhost/.well-known"}
    at.user = {"is_logged_in": True, "email": "Ann@Example.com", "name": "Ann", "sub": "123"}
    at.run()
    assert not at.exception
    assert _identity(at) == "id=ann@example.com|name=Ann|source=auth"
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    assert not at.sidebar.text_input


def test_auth_configured_but_signed_out_offers_login_and_a_local_profile() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert _identity(at).endswith("source=local")
    assert [b.label for b in at.sidebar.button] == ["Log in"]


def test_subject_is_the_id_when_there_is_no_email() -> None:
    at = AppTest.from_string(SCRIPT)
    at.secrets["auth"] = {"cookie_secret": "x"}
    at.user = {"is_logged_in": True, "sub": "abc-123"}
    at.run()
    assert _identity(at) == "id=sub:abc-123|name=Learner|source=auth"


def test_logged_in_flag_is_ignored_without_auth_section() -> None:
    at = AppTest.from_string(SCRIPT)
    at.user = {"is_logged_in": True, "email": "x@example.com"}
    at.run()
    assert _identity(at).endswith("source=local")
