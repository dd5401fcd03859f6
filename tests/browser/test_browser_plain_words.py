"""Plain words in a real Chromium: the sidebar's speech model before the first analysis, the
tutor's end-of-practice summary and exam report, and the Progress page. Each test saves
screenshots under ``tests/artifacts/browser/`` for a person to look at."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from browser_flows import (
    ANALYSIS_TIMEOUT_MS,
    PAGE_LOAD_TIMEOUT_MS,
    go_to,
    open_app,
    page_text,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from progress.database import DATABASE_FILENAME
from progress.storage import Storage

pytestmark = pytest.mark.browser

PRACTICE_ANSWERS = ("Yesterday I go to the market with my sister.", "I like fresh bread and cheese.",
                    "He don't eat fish.")
EXAM_ANSWERS = ("I goed to a restaurant yesterday.", "The soup was delicious and the waiter was friendly.",
                "I usually cook pasta because it is quick.")


def _type_answers(page, answers: tuple[str, ...]) -> None:
    messages = page.get_by_test_id("stChatMessage")
    for number, answer in enumerate(answers, start=1):
        box = page.get_by_placeholder("Type your answer…")
        box.fill(answer)
        box.press("Enter")
        expect(messages).to_have_count(1 + 2 * number, timeout=ANALYSIS_TIMEOUT_MS)
        expect(messages.nth(2 * number)).to_contain_text("?", timeout=ANALYSIS_TIMEOUT_MS)


def _scroll_to(locator, attempts: int = 3) -> None:
    """Scroll an element into view; Streamlit may swap the element for an equal one while a run ends."""
    for attempt in range(attempts):
        try:
            locator.scroll_into_view_if_needed()
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise


def _open(page, chooser) -> None:
    """Open a selectbox's list (a click may only focus it; the arrow key then opens it)."""
    chooser.click()
    if not page.get_by_role("option").first.is_visible():
        page.keyboard.press("ArrowDown")


def _choose(page, chooser, name: str, attempts: int = 3) -> None:
    """Pick option ``name``; a rerun that redraws the sidebar may close the list, so open it again."""
    for attempt in range(attempts):
        try:
            _open(page, chooser)
            page.get_by_role("option", name=name).click(timeout=5_000)
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise


def _model_ready(page) -> None:
    """The sidebar has said which model is in use (the warm-up is over)."""
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Speech model: Offline (bundled) · CPU",
                                                            timeout=PAGE_LOAD_TIMEOUT_MS)


def _start(page, mode_label: str) -> None:
    _model_ready(page)
    go_to(page, "Conversation Tutor")
    page.get_by_text(mode_label).click()
    page.get_by_role("button", name="Start conversation").click()
    page.get_by_placeholder("Type your answer…").wait_for()


def test_sidebar_names_the_model_in_use_before_any_analysis(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Speech model: Offline (bundled) · CPU", timeout=PAGE_LOAD_TIMEOUT_MS)
    expect(sidebar).to_contain_text("needs a network connection")
    sidebar.get_by_text("Details").click()
    expect(sidebar).to_contain_text("Real loads")
    sidebar.get_by_text("Advanced Settings").click()
    chooser = sidebar.get_by_test_id("stSelectbox").filter(has_text="Speech model")
    expect(chooser).to_be_visible()
    shoot("sidebar")
    _open(page, chooser)
    expect(page.get_by_role("option", name="Wav2Vec2 Large")).to_be_visible()
    shoot("sidebar-model-options")
    _choose(page, chooser, "Offline (bundled)")
    expect(sidebar).to_contain_text("Speech model: Offline (bundled) · CPU")
    expect(sidebar).not_to_contain_text("needs a network connection", timeout=PAGE_LOAD_TIMEOUT_MS)
    expect(sidebar.get_by_text("Audio clean-up")).to_be_visible(), "Advanced Settings stays open"
    shoot("sidebar-offline-chosen")
    assert "Skipped (sess" not in page_text(page)


def test_practice_ends_with_a_summary(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    _start(page, "Practice: corrections after every turn")
    expect(page.get_by_text("Tutor: built-in grammar checker (offline)")).to_be_visible()
    _type_answers(page, PRACTICE_ANSWERS)
    expect(page.get_by_test_id("stMetric").filter(has_text="Time")).to_contain_text(":")
    shoot("tutor-conversation")
    page.get_by_role("heading", name="Conversation Tutor").evaluate("e => e.scrollIntoView({block: 'start'})")
    shoot("tutor-caption-and-time")
    page.get_by_role("button", name="End session").click()
    heading = page.get_by_role("heading", name="Your practice summary")
    expect(heading).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.get_by_text("Sentences to fix")).to_be_visible()
    expect(page.get_by_text("What to work on next")).to_be_visible()
    _scroll_to(heading)
    shoot("tutor-summary")
    body = page_text(page)
    assert "\u201cHe don't eat fish.\u201d" in body
    assert "offline-rules" not in body


def test_exam_report_quotes_the_answers_and_explains_the_level(app_server, page, shoot) -> None:
    open_app(page, app_server.url)
    _start(page, "Exam: no corrections until the end, then an evaluation")
    _type_answers(page, EXAM_ANSWERS)
    page.get_by_role("button", name="Finish the exam and see my evaluation").click()
    heading = page.get_by_role("heading", name="Your exam evaluation")
    expect(heading).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    _scroll_to(heading)
    shoot("exam-report")
    _scroll_to(page.get_by_text("Three things to practise"))
    shoot("exam-report-end")
    body = page_text(page)
    assert "Why this level" in body and "\u201cI goed to a restaurant yesterday.\u201d" in body


def _seed(data_dir) -> None:
    store = Storage(url=f"sqlite:///{(data_dir / DATABASE_FILENAME).as_posix()}", audio_dir=data_dir / "audio")
    start = datetime.now(timezone.utc) - timedelta(days=4)
    words = [
        {"word": "Think", "status": "mispronounced", "level": "wrong", "score": 40,
         "phone_errors": [{"expected": "θ", "heard": "t"}]},
        {"word": "about", "status": "correct", "level": "good", "score": 95, "phone_errors": []},
        {"word": "three", "status": "mispronounced", "level": "close", "score": 62,
         "phone_errors": [{"expected": "θ", "heard": "s"}]},
    ]
    for day, (text, score) in enumerate([("Think about three", 55.0), ("The ship left the harbor at noon", 88.0),
                                         ("Think about three", 71.0), ("Think about three", 83.0)]):
        store.save_analysis("anna", {"reference_text": text, "transcript": text.lower(), "model": "offline",
                                     "score": score, "metrics": {"word_accuracy": score},
                                     "words": words if text.startswith("Think") else [],
                                     "created_at": (start + timedelta(days=day)).isoformat()})
    store.save_analysis("anna", {"reference_text": "The cat sat on my mat", "transcript": "think about three",
                                 "model": "offline", "score": 0.0, "read_something_else": True,
                                 "words": [{"word": "cat", "status": "missing", "level": "wrong", "score": 0,
                                            "phone_errors": [{"expected": "k", "heard": ""}]}],
                                 "created_at": datetime.now(timezone.utc).isoformat()})
    store.record_review("anna", "think", correct=True)
    conversation = store.start_conversation("anna", "work", "B1-B2", "practice", "What do you do?")
    store.save_turn(conversation, {"transcript": "I am engineer", "has_errors": True})
    store.close()


def test_progress_page_in_plain_words(app_server, page, shoot) -> None:
    _seed(app_server.data_dir)
    open_app(page, app_server.url, "?profile=Anna")
    _model_ready(page)
    go_to(page, "Progress", "Your progress")
    expect(page.get_by_test_id("stMetric").filter(has_text="Practices")).to_contain_text("4")
    expect(page.locator(".vega-embed").first).to_be_visible(timeout=PAGE_LOAD_TIMEOUT_MS)
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(5)  # sounds, due words, later words, history, conversations
    for number in range(5):
        expect(tables.nth(number).locator("canvas").first).to_be_attached(timeout=PAGE_LOAD_TIMEOUT_MS)
    shoot("progress-top")
    page.get_by_role("heading", name="Words to review").evaluate("e => e.scrollIntoView({block: 'start'})")
    shoot("progress-review")
    page.get_by_role("heading", name="History").evaluate("e => e.scrollIntoView({block: 'start'})")
    shoot("progress-history")
    body = page_text(page)
    assert "Box" not in body and "Hint" not in body
    assert "1 attempt where a different sentence was read is left out" in body
