"""Runs the real bot (`python -m bot`) as a separate process against the local Bot API stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.bot_api import FakeBotApi
from tests.served import app_env

ROOT = Path(__file__).resolve().parents[2]
_STARTED = "Application started"  # python-telegram-bot logs this once polling runs


def bot_env(api: FakeBotApi, tmp: Path, **overrides: str) -> dict[str, str]:
    """The shared test settings over this process's environment, less any bot setting exported
    in the shell that runs the tests."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "ADMIN_", "CLINIC_", "DATABASE_", "CARE_", "QUIET_"))
    }
    env.update(app_env(api, tmp, PTB_TIMEDELTA="true"))
    env.update(overrides)
    return env


class BotProcess:
    """One run of the bot; `start` waits until it polls, `stop` signals it and waits."""

    def __init__(self, api: FakeBotApi, env: dict[str, str], log_path: Path) -> None:
        self._api = api
        self._env = env
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        starts_before = self.log().count(_STARTED) if self._log_path.exists() else 0
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=ROOT,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while self.log().count(_STARTED) <= starts_before:
            if self._process.poll() is not None:
                raise AssertionError(f"the bot exited at start-up:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start polling:\n{self.log()}")
            time.sleep(0.05)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Stop the process this harness started (by its PID) and return its exit status."""
        assert self._process is not None
        if self._process.poll() is None:
            self._process.send_signal(sig)
        try:
            return self._process.wait(timeout)
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the process this harness started (SIGSTOP hangs it, SIGCONT resumes)."""
        assert self._process is not None
        self._process.send_signal(sig)

    def log(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")
