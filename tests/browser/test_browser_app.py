"""The app in a real Chromium: practice end to end, one tutor turn, progress after a restart.

The fake microphone plays ``tests/data/speech/ship_correct_slt.wav`` (flite reading
"The ship left the harbor at noon"); analyses run on the bundled offline engine.
Screenshots of the key steps go to ``tests/artifacts/browser/``.
"""

from __future__ import annotations

import re

import pytest
from browser_flows import (
    ANALYSIS_TIMEOUT_MS,
    FAKE_MIC_TEXT,
    analyse,
    go_to,
    open_app,
    page_text,
    record,
    record_practice_reading,
    use_custom_text,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LOST_RECORDING_TIMEOUT_MS = 45_000  # a spoken turn takes about 15 s on the offline engine

LEVEL_BACKGROUNDS = {"rgb(27, 127, 59)", "rgb(242, 183, 5)", "rgb(198, 40, 40)"}  # good, close, wrong
RESULT_CHIPS = ".ac-word[title]"  # the reference chips above the recorder carry no status title


def _practise_once(page, shoot) -> None:
    use_custom_text(page, FAKE_MIC_TEXT)
    shoot("text-chosen")
    record_practice_reading(page)
    shoot("recorded")
    analyse(page)


def test_pronunciation_practice_end_to_end(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    expect(page.get_by_role("heading", name="Pronunciation Practice")).to_be_visible()
    shoot("opened")

    _practise_once(page, shoot)

    chips = page.locator(RESULT_CHIPS)
    expect(chips).to_have_count(len(FAKE_MIC_TEXT.split()))
    chips.first.scroll_into_view_if_needed()
    shoot("result")
    statuses = chips.evaluate_all("els => els.map(e => e.title)")
    assert set(statuses) <= {"correct", "mispronounced", "missing"}
    assert statuses.count("correct") >= 3, f"the clear reading should mostly pass: {statuses}"
    backgrounds = chips.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    for status, background in zip(statuses, backgrounds):
        if status != "missing":
            assert background in LEVEL_BACKGROUNDS, f"{status} chip is coloured {background}"
    for text in chips.all_inner_texts():
        assert re.search(r"\b\d{1,3}/100\b", text), f"every word shows its score: {text!r}"

    score = page.locator(".ac-score")
    expect(score).to_be_visible()
    assert re.search(r"\b\d{1,3}/100\b", score.inner_text())
    body = page_text(page)
    assert "Traceback" not in body and "Sorry, something went wrong" not in body
    # the recording is shown back to the learner as a waveform
    expect(page.get_by_role("heading", name="Your recording")).to_be_attached()


def _start_conversation(page) -> None:
    go_to(page, "Conversation Tutor")
    page.get_by_role("button", name="Start conversation").click()
    page.get_by_placeholder("Type your answer…").wait_for()
    expect(page.get_by_test_id("stChatMessage")).to_have_count(1)  # the opening question


def _record_answer(page) -> None:
    record(page, "Record my answer")


def _type_answer(page, text: str) -> None:
    box = page.get_by_placeholder("Type your answer…")
    box.fill(text)
    box.press("Enter")


def test_conversation_tutor_spoken_and_typed_turns(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    _start_conversation(page)
    shoot("started")

    _record_answer(page)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(3, timeout=ANALYSIS_TIMEOUT_MS)
    expect(messages.nth(1)).to_contain_text("Spoken (what the recognizer heard)")
    spoken = messages.nth(1).inner_text().lower()
    assert any(word in spoken for word in ("ship", "harbor", "noon")), spoken
    expect(messages.nth(2)).to_contain_text("Why:")
    shoot("spoken-turn")

    _type_answer(page, "Yesterday I go to the park with my friends.")
    expect(messages).to_have_count(5, timeout=ANALYSIS_TIMEOUT_MS)
    expect(messages.nth(3)).to_contain_text("Yesterday I go to the park with my friends.")
    reply = messages.nth(4)
    expect(reply).to_contain_text("Why:")
    expect(reply).to_contain_text("Better:")
    assert "went" in reply.inner_text(), "the past-tense slip is corrected"
    expect(page.get_by_test_id("stMetric").filter(has_text="Turns").first).to_contain_text("2")
    shoot("typed-turn")
    assert "Something went wrong" not in page_text(page)


def test_conversation_tutor_recording_after_a_turn_is_used(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    _start_conversation(page)
    _type_answer(page, "I usually get up at seven o'clock.")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(3, timeout=ANALYSIS_TIMEOUT_MS)

    _record_answer(page)
    try:
        expect(messages).to_have_count(5, timeout=LOST_RECORDING_TIMEOUT_MS)
    finally:
        shoot("after-second-turn")


PROFILE_IN_URL = re.compile(r"[?&]profile=([A-Za-z0-9_-]{32})(?:&|$)")
SAME_NAME = "Anna"


def _profile_key(page) -> str:
    """The private key the app put in this browser's address."""
    page.wait_for_url(PROFILE_IN_URL)
    return PROFILE_IN_URL.search(page.url).group(1)


def _set_name(page, name: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True)
    box.fill(name)
    box.press("Enter")
    expect(box).to_have_value(name)


def test_progress_shows_a_result_saved_before_a_server_restart(server_factory, browser, page, shoot) -> None:
    first = server_factory()
    open_app(page, first.url)
    key = _profile_key(page)
    _set_name(page, SAME_NAME)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("is the key to your history")
    link = sidebar.get_by_test_id("stCode")
    expect(link).to_contain_text(f"{first.url}/?profile={key}")
    link.hover()
    copy = sidebar.get_by_role("button", name="Copy to clipboard")
    expect(copy).to_be_visible()
    shoot("private-link-in-the-sidebar")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=first.url)
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == f"{first.url}/?profile={key}"
    _practise_once(page, shoot)
    score_text = page.locator(".ac-score").inner_text()
    score = re.search(r"(\d{1,3})/100", score_text).group(1)
    first.stop()

    second = server_factory()  # same data folder, new process: only the link finds the history
    open_app(page, second.url, f"?profile={key}")
    go_to(page, "Progress", "Your progress")
    assert _profile_key(page) == key
    expect(page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True)).to_have_value(SAME_NAME)
    practices = page.get_by_test_id("stMetric").filter(has_text="Practices")
    expect(practices).to_contain_text("1")
    expect(page.get_by_test_id("stMetric").filter(has_text="Best score")).to_contain_text(score)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    history = page.get_by_test_id("stDataFrame").last
    history.scroll_into_view_if_needed()
    shoot("progress-after-restart")
    assert FAKE_MIC_TEXT in history.inner_text() or FAKE_MIC_TEXT in page.content()

    # A second browser, the same name, no link: another learner with an empty history.
    other_context = browser.new_context(viewport=page.viewport_size)
    try:
        other = other_context.new_page()
        open_app(other, second.url)
        assert _profile_key(other) != key
        _set_name(other, SAME_NAME)
        go_to(other, "Progress", "Your progress")
        expect(other.get_by_text("No practice yet")).to_be_visible()
        assert FAKE_MIC_TEXT not in page_text(other)
    finally:
        other_context.close()

    for server in (first, second):
        assert key not in server.log_path.read_text(errors="replace"), "the key reached the log"


CONVERSATION_ANSWERS = (
    "I usually get up at seven o'clock.",
    "Yesterday I go to the park with my friends.",
    "She don't like coffee in the morning.",
    "I have breakfast with my family every day.",
    "My brother work in a big office.",
    "We goed to the cinema last weekend.",
    "I think this is more better than before.",
    "On Sundays I read books and relax.",
    "I am agree with you about that.",
    "He have two cats and a dog.",
    "I take the bus to work at eight.",
    "Last year I visit my grandmother in Spain.",
    "I like cooking pasta for dinner.",
    "They was very happy at the party.",
    "Thank you, I enjoyed our conversation.",
)


def test_a_fifteen_turn_conversation_works_end_to_end(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    _start_conversation(page)
    messages = page.get_by_test_id("stChatMessage")
    for number, answer in enumerate(CONVERSATION_ANSWERS, start=1):
        _type_answer(page, answer)
        expect(messages).to_have_count(1 + 2 * number, timeout=ANALYSIS_TIMEOUT_MS)
        # the tutor asks a follow-up question (waits until the reply's text has rendered)
        expect(messages.nth(2 * number), f"turn {number}").to_contain_text("?", timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.get_by_test_id("stMetric").filter(has_text="Turns").first).to_contain_text("15")
    shoot("fifteen-turns")
    body = page_text(page)
    assert "Something went wrong" not in body and "Traceback" not in body
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Start conversation")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
