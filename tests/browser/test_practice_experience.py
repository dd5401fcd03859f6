"""What a learner sees on the practice page in a real Chromium: another sentence read, the word
drill with its minimal pair, the dark theme, a 420 px phone, and no request leaving the machine.

The fake microphone reads "The ship left the harbor at noon" (see conftest.py). Screenshots go
to ``tests/artifacts/browser/``; open them and judge them when the page changes.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_flows import (
    ANALYSIS_TIMEOUT_MS,
    FAKE_MIC_TEXT,
    PAGE_LOAD_TIMEOUT_MS,
    RECORDER_IFRAME,
    RECORDING_MS,
    open_app,
    page_text,
    record_practice_reading,
    use_custom_text,
)
from conftest import ARTIFACTS
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}
PHONE = {"width": 420, "height": 900}
LAPTOP = {"width": 1280, "height": 900}


def _watch_requests(page: Page) -> list[str]:
    """Every URL the page asks for that is not on this machine."""
    outside: list[str] = []

    def check(request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(request.url)

    page.on("request", check)
    return outside


def _analyse_and_wait(page: Page) -> None:
    """Press Analyze and wait for the result heading, without scrolling: the page must bring it into view."""
    page.get_by_role("button", name="Analyze my pronunciation").click()
    page.get_by_role("heading", name="3. Your result").wait_for(timeout=ANALYSIS_TIMEOUT_MS)


def _wait_until_in_upper_half(page: Page, anchor: str) -> None:
    """The page brings ``#anchor`` into view by itself: into the upper half of the screen, or as
    high as it goes when the page ends below it."""
    page.wait_for_function(
        """id => {
            const e = document.getElementById(id);
            if (!e) return false;
            const top = e.getBoundingClientRect().top;
            let box = e.parentElement;
            while (box && !(box.scrollHeight > box.clientHeight + 1
                            && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
            box = box || document.scrollingElement;
            const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 2;
            return top >= 0 && (top <= innerHeight / 2 || (atEnd && top <= innerHeight - 150));
        }""",
        arg=anchor,
        timeout=10_000,
    )


def _open_on_phone(page: Page, base_url: str) -> None:
    """Open the app where the sidebar starts collapsed (narrow screens)."""
    page.goto(base_url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=PAGE_LOAD_TIMEOUT_MS)


def _shot(page: Page, name: str, full_page: bool = False) -> Path:
    """Screenshot once the charts on the page have drawn (they load after the rest)."""
    charts = page.locator(".stVegaLiteChart, [data-testid='stVegaLiteChart']")
    for index in range(charts.count()):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_attached(timeout=PAGE_LOAD_TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"practice-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _relative_luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_reading_another_sentence_is_told_and_nothing_leaves_the_machine(app_server, page) -> None:
    outside = _watch_requests(page)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size(LAPTOP)
    open_app(page, app_server.url)
    use_custom_text(page, "My cat is sleeping on the sofa")

    # recording shows its elapsed time under the recorder
    recorder = page.frame_locator(RECORDER_IFRAME).first
    recorder.get_by_role("button", name="Start recording").click()
    status = page.frame_locator("iframe[srcdoc*='recorder']").first.locator("#s")
    expect(status).to_contain_text(re.compile(r"Recording \d:\d\d"), timeout=10_000)
    _shot(page, "recording")
    page.wait_for_timeout(RECORDING_MS)  # the length of the speech, not a synchronisation point
    recorder.get_by_role("button", name="Stop recording").click()
    expect(status).to_contain_text(re.compile(r"Recorded \d:\d\d"))
    expect(page.get_by_role("button", name="Analyze my pronunciation")).to_be_enabled()

    page.get_by_role("button", name="Analyze my pronunciation").click()
    # "Analysing…" shows beside the button while the model works; on a quiet machine the result can
    # arrive before the spinner's short show delay, so the spinner is checked whenever it appears
    analysing = page.get_by_text("Analysing your reading…")
    heading = page.get_by_role("heading", name="3. Your result")
    expect(analysing.or_(heading).first).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    try:
        box = analysing.bounding_box(timeout=500)
    except PlaywrightError:  # gone already: the result replaced it
        box = None
    if box is not None:
        assert 0 <= box["y"] < LAPTOP["height"], "the analysing state is where the learner is looking"
        _shot(page, "analysing")
    heading.wait_for(timeout=ANALYSIS_TIMEOUT_MS)
    _wait_until_in_upper_half(page, "your-result")
    expect(page.get_by_text("This did not sound like the sentence")).to_be_in_viewport()
    body = page_text(page)
    assert "harbor" in body.split("This did not sound like the sentence")[1].lower(), "what was heard is quoted"
    expect(page.get_by_role("button", name="Practise this word")).to_have_count(0)
    expect(page.locator(".ac-word[title]")).to_have_count(0)
    _shot(page, "other-sentence")

    page.get_by_role("button", name="Practise what I said").click()
    expect(page.get_by_label("Your sentence")).to_have_value(re.compile("harbor", re.IGNORECASE))
    assert not outside, f"requests left the machine: {outside}"
    assert not [e for e in console_errors if "net::" in e or "Failed to load" in e], console_errors


def test_word_drill_contrasts_the_word_with_the_word_heard(app_server, page) -> None:
    page.set_viewport_size(LAPTOP)
    open_app(page, app_server.url)
    use_custom_text(page, "The sheep left the harbor at noon")  # the microphone says "ship"
    record_practice_reading(page)
    _analyse_and_wait(page)
    _wait_until_in_upper_half(page, "your-result")
    _shot(page, "result-light")
    _shot(page, "result-light-full", full_page=True)

    sheep = page.get_by_role("button", name="Practise this word").first
    sheep.click()
    expect(page.locator("#word-drill")).to_contain_text("Practise “sheep”", timeout=ANALYSIS_TIMEOUT_MS)
    _wait_until_in_upper_half(page, "word-drill")
    expect(page.locator("p", has_text=re.compile(r"(sounds like|sounded close to) ship"))).to_be_visible()
    drill_recorders = page.frame_locator(RECORDER_IFRAME)
    expect(drill_recorders.nth(1).get_by_role("button", name="Record “sheep”")).to_be_visible()
    expect(drill_recorders.nth(2).get_by_role("button", name="Record “ship”")).to_be_visible()
    expect(page.locator(".ac-word.ac-ref", has_text="sheep").last).to_be_visible()
    expect(page.get_by_text("From the sentence: The sheep left the harbor at noon")).to_be_visible()
    _shot(page, "drill-pair")

    # record the first word of the pair: the microphone reads a whole sentence, which the drill says
    drill_recorders.nth(1).get_by_role("button", name="Record “sheep”").click()
    stop = drill_recorders.nth(1).get_by_role("button", name="Stop recording")
    stop.wait_for()
    page.wait_for_timeout(RECORDING_MS)
    stop.click()
    expect(page.get_by_text("Say just the word “sheep”")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    _shot(page, "drill-recorded")

    page.get_by_role("button", name="Back to the results").click()
    expect(page.get_by_role("button", name="Practise this word").first).to_be_visible()
    assert FAKE_MIC_TEXT.split()[-1] in page_text(page)


def test_dark_theme_on_a_phone(browser, app_server) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        _open_on_phone(page, app_server.url)
        use_custom_text(page, FAKE_MIC_TEXT)
        record_practice_reading(page)
        analyse_button = page.get_by_role("button", name="Analyze my pronunciation")
        colours = analyse_button.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert _contrast(*colours) >= 4.5, f"primary button text {colours}"
        background = page.locator(".stApp").evaluate("e => getComputedStyle(e).backgroundColor")
        assert _relative_luminance(background) < 0.1, f"dark theme expected, background {background}"
        _analyse_and_wait(page)
        _wait_until_in_upper_half(page, "your-result")
        score = page.locator(".ac-score")
        expect(score).to_be_in_viewport()
        box = score.bounding_box()
        assert box is not None and box["height"] < 200, f"the score block is compact at 420 px: {box}"
        assert box["width"] <= PHONE["width"], box
        _shot(page, "result-dark-420")
        page.get_by_role("heading", name="Your recording").scroll_into_view_if_needed()
        _shot(page, "waveform-dark-420")
        # the settings menu (theme choice) is there
        # the menu offers the theme: switching to light works
        page.get_by_test_id("stMainMenu").click()
        menu = page.get_by_test_id("stMainMenuPopover")
        expect(menu.get_by_text("Dark")).to_be_visible()
        _shot(page, "menu-dark-420")
        menu.get_by_text("Light").click()
        page.wait_for_function(
            "() => { const c = getComputedStyle(document.querySelector('.stApp')).backgroundColor;"
            " const v = (c.match(/\\d+/g) || []).map(Number); return v.length >= 3 && v[0] > 200; }"
        )
        page.keyboard.press("Escape")
        _shot(page, "waveform-light-420")
    finally:
        context.close()
