"""`python -m bot check --live` against the real process: fresh while the bot delivers, stale
once it hangs (SIGSTOP), fresh again when it resumes, and a failure before any bot has run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, BotProcess, bot_env
from tests.factories import linked_patients
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.schedule import DELIVERY_PROTOCOL

# Stale after 3 x 1 s ticks + a 2 s send = 5 s.
TIMING = {"POLL_SECONDS": "1", "TELEGRAM_TIMEOUT_SECONDS": "2"}
STALE_AFTER = 5.0


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def _live(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--live"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_live_tells_a_delivering_bot_from_a_hung_one(api: FakeBotApi, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    linked_patients(
        tmp_path / "mesocare.db",
        range(30_000, 30_030),
        starts_at=now - timedelta(minutes=1),
        now=now,
    )
    env = bot_env(api, tmp_path, CARE_PROTOCOL=str(DELIVERY_PROTOCOL), **TIMING)
    before = _live(env)
    assert before.returncode == 2
    assert "no heartbeat" in before.stdout

    bot = BotProcess(api, env, tmp_path / "bot.log")
    bot.start()
    try:
        api.wait_for(lambda c: c.method == "sendMessage", count=5)
        delivering = _live(env)
        assert delivering.returncode == 0, delivering.stdout + delivering.stderr
        assert "delivering" in delivering.stdout
        assert (tmp_path / "mesocare.db.heartbeat").is_file()

        bot.signal(signal.SIGSTOP)  # hung: alive, holding its lock, doing nothing
        try:
            time.sleep(STALE_AFTER + 1)
            hung = _live(env)
        finally:
            bot.signal(signal.SIGCONT)
        assert hung.returncode == 2
        assert "stopped or hung" in hung.stdout

        deadline = time.monotonic() + 20
        while (resumed := _live(env)).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert resumed.returncode == 0, resumed.stdout
    finally:
        assert bot.stop() == 0
