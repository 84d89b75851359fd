"""Operating the real process: a backup while it delivers, `check` against the stand-in, and
a second bot on the same database refused."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
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

PATIENTS = range(20_000, 20_040)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_backups_while_the_bot_delivers_are_intact(api: FakeBotApi, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    linked_patients(
        tmp_path / "mesocare.db", PATIENTS, starts_at=now - timedelta(minutes=1), now=now
    )
    env = bot_env(api, tmp_path, CARE_PROTOCOL=str(DELIVERY_PROTOCOL))
    bot = BotProcess(api, env, tmp_path / "bot.log")
    bot.start()
    try:
        api.wait_for(lambda c: c.method == "sendMessage", count=5)  # the bot is writing
        results = [_cli(env, "backup", str(tmp_path / f"copy-{n}.db")) for n in range(3)]
    finally:
        assert bot.stop() == 0
    sent_so_far = []
    for number, result in enumerate(results):
        assert result.returncode == 0, result.stderr
        copy = tmp_path / f"copy-{number}.db"
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        with contextlib.closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            sent = conn.execute("SELECT count(*) FROM care_messages WHERE state = 'sent'")
            sent_so_far.append(sent.fetchone()[0])
    assert sent_so_far == sorted(sent_so_far)
    assert sent_so_far[-1] > sent_so_far[0]  # the copies were taken while sending went on


def test_check_reports_the_token_against_the_stand_in(api: FakeBotApi, tmp_path: Path) -> None:
    result = _cli(bot_env(api, tmp_path), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "@mesocare_test_bot" in result.stdout
    assert "TEST-token" not in result.stdout + result.stderr


def test_a_second_bot_on_the_same_database_is_refused(api: FakeBotApi, tmp_path: Path) -> None:
    env = bot_env(api, tmp_path)
    first = BotProcess(api, env, tmp_path / "first.log")
    first.start()
    try:
        second = _cli(env, "run")
        assert second.returncode == 2
        assert "already running" in second.stderr
        time.sleep(0.2)
        api.send_text(3003, "/start")  # the first one still answers
        api.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == 3003)
    finally:
        assert first.stop() == 0
