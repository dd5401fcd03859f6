"""A real ``streamlit run app.py`` server for the browser tests: start, wait until healthy, stop."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HEALTH_PATH = "/_stcore/health"
START_TIMEOUT_S = 90.0
HEALTH_POLL_S = 0.25
STOP_TIMEOUT_S = 15.0
LOG_TAIL_CHARS = 4000

# Settings that would make the app reach outside the machine or behave differently
# from one developer's shell to another: the tests never inherit them.
SCRUBBED_ENV = (
    "ACCENT_COACH_LLM_BASE_URL",
    "ACCENT_COACH_LLM_MODEL",
    "ACCENT_COACH_LLM_API_KEY",
    "OPENAI_API_KEY",
    "HF_TOKEN",
)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    """One Streamlit server process serving ``app.py`` from the repository root."""

    data_dir: Path
    log_path: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        env.update(
            ACCENT_COACH_DATA_DIR=str(self.data_dir),
            HF_HUB_OFFLINE="1",
            ACCENT_COACH_OFFLINE_MODEL="off",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            # no developer secrets (remote tutor keys, auth) leak into the tests
            "--secrets.files", str(self.data_dir.parent / "no-secrets.toml"),
        ]

    def start(self) -> "AppServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.wait_until_healthy()
        return self

    def wait_until_healthy(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Poll the health endpoint (bounded) until it answers "ok"; fail with the log tail."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=2) as answer:
                    if answer.status == 200 and answer.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(HEALTH_POLL_S)  # a poll interval, not a synchronisation point
        raise RuntimeError(f"streamlit did not become healthy in {timeout_s:.0f} s\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server process (its own process group only) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.warning("streamlit did not stop on SIGTERM; killing it")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_S)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self) -> str:
        return self.log_text()[-LOG_TAIL_CHARS:]
