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


BALE_GROUP = -7700
BALE_TOKEN = "654321:BALE-token-for-the-stand-in"


def test_bales_token_and_staff_group_are_checked_beside_telegrams(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.set_chat(GROUP, members=2)
    with FakeBotApi(flavour="bale", bot_username="mesocare_bale_bot") as bale:
        bale.set_chat(BALE_GROUP, username="clinic_staff", members=6)
        env = {
            "BALE_BOT_TOKEN": BALE_TOKEN,
            "BALE_API_BASE_URL": f"http://127.0.0.1:{bale.port}",
            "BALE_STAFF_CHAT_ID": str(BALE_GROUP),
            "BALE_ADMIN_IDS": "5001,5002",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        lines = check_lines(api, tmp_path, monkeypatch)
        # Bale's own name of the member count was asked, not Telegram's (a 404 on Bale).
        assert [call.method for call in bale.calls("getChatMembersCount")] == [
            "getChatMembersCount"
        ]
    (token,) = [line for line in lines if " Bale token: " in line]
    assert token.startswith("ok") and "@mesocare_bale_bot" in token
    (telegram_group,) = [line for line in lines if f"staff chat {GROUP}" in line]
    assert telegram_group.startswith("ok")
    (bale_group,) = [line for line in lines if f"Bale staff chat {BALE_GROUP}" in line]
    assert bale_group.startswith("WARN")
    assert "public group" in bale_group and "6 members, more than the 2 staff" in bale_group


def test_a_refused_bale_token_fails_the_check_in_persian_too(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeBotApi(flavour="bale") as bale:
        bale.fail_next("getMe", status=401, description="Unauthorized")
        monkeypatch.setenv("BALE_BOT_TOKEN", BALE_TOKEN)
        monkeypatch.setenv("BALE_API_BASE_URL", f"http://127.0.0.1:{bale.port}")
        for name, value in app_env(api, tmp_path, DEFAULT_LANGUAGE="fa").items():
            monkeypatch.setenv(name, value)
        lines: list[str] = []
        assert not run_check(lines.append)
    (line,) = [line for line in lines if line.startswith("FAILED")]
    assert "توکن بله" in line and "BALE_API_BASE_URL" in line


async def test_start_up_warns_of_bales_staff_group_too(
    api: FakeBotApi, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeBotApi(flavour="bale") as bale:
        bale.set_chat(BALE_GROUP, members=4)
        env = {
            "BALE_BOT_TOKEN": BALE_TOKEN,
            "BALE_API_BASE_URL": "http://127.0.0.1:9",  # never dialled: the driver answers
            "BALE_STAFF_CHAT_ID": str(BALE_GROUP),
        }
        with caplog.at_level(logging.WARNING, logger="bot.relay.staff_chat"):
            async with driving(tmp_path, clock, api=api, bale_api=bale, env=env):
                pass
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.relay.staff_chat"]
    assert warnings == [
        f"privacy: the staff chat {BALE_GROUP} has 4 members, more than the 0 staff and the bot:"
        " someone in it is not staff; remove them, or add them with /staff"
    ]
