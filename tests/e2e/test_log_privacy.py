"""The real process through enrol, link, care messages, an export and /done: its log holds
ids and states, never a patient's name, phone, message text, an invite token or the bot
token, even at LOG_LEVEL=DEBUG, on standard error and in LOG_FILE alike."""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from care.core.text_input import normalize_digits
from tests.calls import text_to
from tests.e2e.harness import BotProcess, bot_env
from tests.fakes.bot_api import FakeBotApi
from tests.served import STAFF_ID, TOKEN

PATIENT = 2002
PROTOCOL = Path(__file__).with_name("protocol.toml")
NAME = "Shirin Zand-Karimi"
PHONE = "+98 912 765 4321"
FREE_TEXT = "I feel dizzy since the injection, call me at 09127654321"


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def test_the_log_never_holds_personal_data_or_secrets(api: FakeBotApi, tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "mesocare.log"  # its folder is created
    env = bot_env(
        api, tmp_path, CARE_PROTOCOL=str(PROTOCOL), LOG_LEVEL="DEBUG", LOG_FILE=str(log_file)
    )
    bot = BotProcess(api, env, tmp_path / "bot.log")
    bot.start()
    try:
        starts = datetime.now(ZoneInfo("Asia/Tehran")) + timedelta(hours=3)
        api.send_text(STAFF_ID, f"/enrol {NAME} {starts:%Y-%m-%d %H:%M}")
        (reply,) = api.wait_for(text_to(STAFF_ID, "Invite link"))
        text = str(reply.params["text"])
        invite = re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)  # type: ignore[union-attr]
        appointment = re.search("(?:#|شمارهٔ \u2068)(\\d+)", normalize_digits(text)).group(1)  # type: ignore[union-attr]
        with contextlib.closing(sqlite3.connect(tmp_path / "mesocare.db")) as conn:
            conn.execute("UPDATE patients SET phone = ?", (PHONE,))
            conn.commit()

        api.send_text(PATIENT, f"/start {invite}")
        api.wait_for(text_to(PATIENT, "Test Clinic"))
        api.wait_for(text_to(PATIENT, "aspirin"))  # pre-care: booked late, sent at once
        api.send_text(PATIENT, FREE_TEXT)
        api.send_text(STAFF_ID, "/export_patient 1")
        api.wait_for(lambda c: c.method == "sendDocument")
        api.send_text(STAFF_ID, f"/done {appointment}")
        api.wait_for(text_to(STAFF_ID, "is done; the after-care message is on its way"))
        api.wait_for(text_to(PATIENT, "is over. Thank you for coming"))
        api.wait_until_idle()
    finally:
        assert bot.stop(signal.SIGTERM) == 0
    log = bot.log()
    kept = log_file.read_text(encoding="utf-8").splitlines()
    assert "sent message" in "".join(kept)
    assert all(line in log for line in kept)  # the file has what standard error had
    assert " DEBUG " in log  # the level was taken

    assert "sent message" in log and "linked a chat" in log  # it does log what happens
    secrets = [*NAME.replace("-", " ").split(), PHONE, "765 4321", "7654321", FREE_TEXT, invite]
    secrets.append(TOKEN.split(":")[1])
    for secret in secrets:
        assert secret not in log, secret
    for call in api.messages_to(PATIENT):
        for line in str(call.params.get("text", "")).splitlines():
            if len(line.strip()) >= 20:
                assert line.strip() not in log, line
