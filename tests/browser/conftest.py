"""Fixtures for the real-browser tests: Debian's Chromium through Playwright, a fake microphone
that plays a synthetic WAV, and a ``streamlit run app.py`` server on a free port.

Chromium must be installed (``make system-deps`` / ``scripts/system_deps.sh``); when it is
missing these tests fail with a message saying so, they never skip silently.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pytest
import soundfile as sf
import soxr
from app_server import ROOT, AppServer

CHROMIUM_ENV = "ACCENT_COACH_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
SPEECH_DIR = ROOT / "tests" / "data" / "speech"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
FAKE_MIC_SOURCE = SPEECH_DIR / "ship_correct_slt.wav"
FAKE_MIC_RATE = 48_000
FAKE_MIC_LEAD_S = 0.3
FAKE_MIC_TAIL_S = 1.2
VIEWPORT = {"width": 1280, "height": 1000}
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the app in a real Chromium (slow)")


def chromium_executable() -> str:
    """Debian's Chromium (or ``$ACCENT_COACH_CHROMIUM``); fail clearly when there is none."""
    candidates = [os.environ.get(CHROMIUM_ENV, "")] + list(CHROMIUM_CANDIDATES) + [shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "Chromium is not installed, so the browser tests cannot run. Install it with "
        "`make system-deps` (scripts/system_deps.sh installs Debian's chromium), or point "
        f"{CHROMIUM_ENV} at a Chromium binary.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def fake_mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reading Chromium's fake microphone plays (looped): 48 kHz 16-bit mono with silence around it."""
    samples, rate = sf.read(FAKE_MIC_SOURCE, dtype="float32", always_2d=False)
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    samples = soxr.resample(samples, rate, FAKE_MIC_RATE)
    lead = np.zeros(int(FAKE_MIC_LEAD_S * FAKE_MIC_RATE), dtype=np.float32)
    tail = np.zeros(int(FAKE_MIC_TAIL_S * FAKE_MIC_RATE), dtype=np.float32)
    path = tmp_path_factory.mktemp("fake-mic") / "reading.wav"
    sf.write(path, np.concatenate([lead, samples, tail]), FAKE_MIC_RATE, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def browser(fake_mic_wav: Path) -> Iterator["object"]:
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={fake_mic_wav}"],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def page(browser, request: pytest.FixtureRequest) -> Iterator["object"]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
            try:
                opened.screenshot(path=str(_artifact(request, "failure")))
            except Exception:  # a crashed page has nothing to show
                pass
        context.close()


def _artifact(request: pytest.FixtureRequest, step: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    return ARTIFACTS / f"{name}--{step}.png"


@pytest.fixture()
def shoot(page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``shoot("step")`` saves a screenshot under tests/artifacts/browser/."""
    counter = {"n": 0}

    def take(step: str) -> Path:
        counter["n"] += 1
        path = _artifact(request, f"{counter['n']:02d}-{step}")
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture()
def server_factory(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., AppServer]]:
    """Start servers (same data dir by default); all of them stop at the end, their logs kept as artefacts."""
    started: list[AppServer] = []
    data_dir = tmp_path / "data"

    def start(**extra_env: str) -> AppServer:
        server = AppServer(data_dir=data_dir, log_path=tmp_path / f"server-{len(started) + 1}.log",
                           extra_env=dict(extra_env))
        started.append(server)
        return server.start()

    yield start
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    for number, server in enumerate(started, start=1):
        server.stop()
        if server.log_path.exists():
            shutil.copyfile(server.log_path, ARTIFACTS / f"{name}--server-{number}.log")


@pytest.fixture()
def app_server(server_factory: Callable[..., AppServer]) -> AppServer:
    return server_factory()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
