"""What a learner does in the browser, as small steps the browser tests share.

Every step waits for something visible (a selector or a condition), never for a fixed time;
the one exception is the length of a recording, which is what the learner chooses.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

PAGE_LOAD_TIMEOUT_MS = 90_000
ANALYSIS_TIMEOUT_MS = 120_000
RECORDING_MS = 3_200  # the fake microphone loops a 4 s clip: this takes in the whole sentence
RECORDER_IFRAME = "iframe[title*='mic_recorder']"
FAKE_MIC_TEXT = "The ship left the harbor at noon"  # what the fake microphone says (see conftest.py)


def open_app(page: Page, base_url: str, path: str = "") -> None:
    """Open the app (the practice page by default) and wait until the script has drawn it."""
    page.goto(f"{base_url}/{path}")
    page.get_by_test_id("stSidebar").wait_for(timeout=PAGE_LOAD_TIMEOUT_MS)
    page.get_by_role("heading", level=1).first.wait_for(timeout=PAGE_LOAD_TIMEOUT_MS)


def go_to(page: Page, link: str, heading: str | None = None) -> None:
    """Switch page through the sidebar navigation (the browser session stays the same)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1, name=heading or link)).to_be_visible(timeout=PAGE_LOAD_TIMEOUT_MS)


def use_custom_text(page: Page, text: str) -> None:
    """Category "Custom text", then type the sentence and commit it."""
    page.get_by_label("Category").click()
    page.get_by_role("option", name="Custom text").click()
    box = page.get_by_label("Your sentence")
    box.wait_for()
    box.fill(text)
    box.press("Control+Enter")
    last_word = text.split()[-1].strip(".,!?")
    expect(page.locator(".ac-word", has_text=last_word).first).to_be_visible()


def record(page: Page, start_label: str) -> None:
    """Start the page's recorder with its ``start_label`` button, speak for a while, stop it."""
    recorder = page.frame_locator(RECORDER_IFRAME).first
    recorder.get_by_role("button", name=start_label).click()
    stop = recorder.get_by_role("button", name="Stop recording")
    stop.wait_for()
    page.wait_for_timeout(RECORDING_MS)  # the length of the speech, not a synchronisation point
    stop.click()


def record_practice_reading(page: Page) -> None:
    """Record a reading; wait until the recording is back on the page."""
    record(page, "Start recording")
    expect(page.get_by_text("Your recording", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Analyze my pronunciation")).to_be_enabled()


def analyse(page: Page) -> None:
    """Press "Analyze my pronunciation" and wait for the result section."""
    page.get_by_role("button", name="Analyze my pronunciation").click()
    heading = page.get_by_role("heading", name="3. Your result")
    heading.wait_for(timeout=ANALYSIS_TIMEOUT_MS)
    heading.scroll_into_view_if_needed()


def page_text(page: Page) -> str:
    """Everything the page shows, as text."""
    return page.locator("body").inner_text()
