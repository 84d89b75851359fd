"""The core journey, end to end: the real bot process, its scheduler and its database,
against the local Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.text_input import normalize_digits
from tests.calls import text_to
from tests.e2e.harness import ROOT, BotProcess, bot_env
from tests.fakes.bot_api import FakeBotApi
from tests.served import STAFF_ID

PATIENT = 2002
STRANGER = 3003
TEHRAN = ZoneInfo("Asia/Tehran")
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
PROTOCOL = Path(__file__).with_name("protocol.toml")


def opening(key: str) -> str:
    """A stretch of an English catalog text that no placeholder interrupts: enough to tell
    which message arrived, whatever the names and dates in it."""
    marker = "§"
    blank = CATALOG.text("en", key, **dict.fromkeys(CATALOG.placeholders("en", key), marker))
    return max(blank.split(marker), key=len).strip()[:30]


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def bot(api: FakeBotApi, tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(
        api, bot_env(api, tmp_path, CARE_PROTOCOL=str(PROTOCOL)), tmp_path / "bot.log"
    )
    yield process
    process.stop(signal.SIGKILL)
    print(process.log())  # shown by pytest when the test failed


def _count(api: FakeBotApi, chat_id: int, needle: str) -> int:
    return sum(1 for call in api.calls() if text_to(chat_id, needle)(call))


def test_enrol_link_care_messages_done_and_restart(
    api: FakeBotApi, bot: BotProcess, tmp_path: Path
) -> None:
    bot.start()

    api.send_text(STRANGER, "/enrol Eve Intruder 2031-01-01 10:00")
    api.wait_for(text_to(STRANGER, "staff only"))

    starts = (datetime.now(TEHRAN) + timedelta(hours=3)).replace(second=0, microsecond=0)
    api.send_text(STAFF_ID, f"/enrol Sara Ahmadi {starts:%Y-%m-%d %H:%M}")
    (reply,) = api.wait_for(text_to(STAFF_ID, "Invite link"))
    text = str(reply.params["text"])
    appointment = int(re.search("(?:#|شمارهٔ \u2068)(\\d+)", normalize_digits(text)).group(1))  # type: ignore[union-attr]
    token = re.search(r"https://t\.me/mesocare_test_bot\?start=([A-Za-z0-9_-]+)", text).group(1)  # type: ignore[union-attr]
    assert f"{starts.day} {starts:%b %Y} · " in text and f"{starts:%H:%M} clinic time" in text

    api.send_text(PATIENT, f"/start {token}")
    api.wait_for(text_to(PATIENT, "Test Clinic"))
    # Booked less than 24 h ahead: pre-care goes out as soon as the patient links.
    (pre_care,) = api.wait_for(text_to(PATIENT, opening("steps.pre_care")))
    buttons = pre_care.params["reply_markup"]["inline_keyboard"]
    assert len(buttons) == 3

    api.send_text(STRANGER, f"/start {token}")
    api.wait_for(text_to(STRANGER, opening("patient.invite_invalid")))

    api.send_text(STAFF_ID, f"/schedule {appointment}")
    (listing,) = api.wait_for(text_to(STAFF_ID, f"🗓 #{appointment} · "))
    assert "Pre-session reminder" in str(listing.params["text"])
    assert "sent" in str(listing.params["text"])

    api.send_text(STAFF_ID, f"/done {appointment}")
    api.wait_for(text_to(STAFF_ID, "is done; the after-care message is on its way"))
    api.wait_for(text_to(PATIENT, opening("steps.post_care")))

    # wash_ok falls due 4 s after /done; stop the bot before that and start it again later.
    assert bot.stop() == 0
    time.sleep(5)
    bot.start()
    api.wait_for(text_to(PATIENT, opening("steps.wash_ok")), timeout=15)
    time.sleep(2)  # the safety tick has run again: nothing is sent twice
    assert _count(api, PATIENT, opening("steps.wash_ok")) == 1
    assert _count(api, PATIENT, opening("steps.pre_care")) == 1
    assert _count(api, PATIENT, opening("steps.post_care")) == 1

    bot.stop()
    with sqlite3.connect(tmp_path / "mesocare.db") as db:
        states = dict(db.execute("SELECT step, state FROM care_messages").fetchall())
        actions = [row[0] for row in db.execute("SELECT action FROM audit ORDER BY id")]
    assert states == {
        "pre_care": "sent",
        "post_care": "sent",
        "wash_ok": "sent",
        "follow_up": "pending",
    }
    assert actions == ["enrol", "link", "done"]
    assert "Sara" not in bot.log()  # no patient names in the log
    assert "TEST-token" not in bot.log()


def test_starting_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr
