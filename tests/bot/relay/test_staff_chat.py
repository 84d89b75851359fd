"""The staff chat must stay private: `check` warns (without failing) when it is a public group
or has more members than there are staff, and so does the log at start-up, with ids only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.check import run_check
from care.db.connection import connect
from tests.conftest import FakeClock
from tests.driver import driving
from tests.fakes.bot_api import FakeBotApi
from tests.served import app_env

GROUP = -100500


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def check_lines(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en"
) -> list[str]:
    for name, value in app_env(api, tmp_path, STAFF_CHAT_ID=str(GROUP)).items():
        monkeypatch.setenv(name, value)
    connect(tmp_path / "mesocare.db").close()
    lines: list[str] = []
    assert run_check(lines.append, lang=lang)  # a warning is not a failure
    return lines


def test_a_private_group_of_staff_is_fine(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.set_chat(GROUP, members=2)  # the admin and the bot
    (line,) = [line for line in check_lines(api, tmp_path, monkeypatch) if "staff chat" in line]
    assert line.startswith("ok")


def test_a_public_or_crowded_group_is_warned_about(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.set_chat(GROUP, username="mesocare_staff", members=5)
    (line,) = [line for line in check_lines(api, tmp_path, monkeypatch) if "staff chat" in line]
    assert line.startswith("WARN")
    assert "public group" in line
    assert "5 members, more than the 1 staff" in line
    assert "mesocare_staff" not in line  # ids only


def test_the_warning_speaks_persian_too(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.set_chat(GROUP, username="mesocare_staff", members=5)
    lines = check_lines(api, tmp_path, monkeypatch, lang="fa")
    (line,) = [line for line in lines if line.startswith("WARN")]
    assert "گروه کارکنان" in line and "-۱۰۰۵۰۰" in line  # Persian digits
    assert "گروه عمومی" in line and "public" not in line


async def test_start_up_warns_in_the_log_with_ids_only(
    api: FakeBotApi, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api.set_chat(GROUP, username="mesocare_staff", members=9)
    with caplog.at_level(logging.WARNING, logger="bot.relay.staff_chat"):
        async with driving(tmp_path, clock, api=api, env={"STAFF_CHAT_ID": str(GROUP)}):
            pass
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.relay.staff_chat"]
    assert len(warnings) == 2
    assert all(str(GROUP) in warning for warning in warnings)
    assert not any("mesocare_staff" in warning for warning in warnings)
