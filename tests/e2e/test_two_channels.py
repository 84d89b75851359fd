"""The real bot (`python -m bot`) serving Telegram and Bale from one process, against two
stand-ins on 127.0.0.1; the Telegram one is stopped mid-run and Bale carries on (issue 11)."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.harness import BotProcess, bot_env
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.served import ADMIN_ID

TEHRAN = ZoneInfo("Asia/Tehran")
BALE_PATIENT = 5_000_000_007
_TOKEN = re.compile(r"ble\.ir/mesocare_bale_bot\?start=([A-Za-z0-9_-]+)")


def _to(chat_id: int) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return call.method == "sendMessage" and call.params.get("chat_id") == chat_id

    return matches


def test_one_process_serves_both_and_bale_carries_on_when_telegram_is_gone(
    tmp_path: Path,
) -> None:
    with (
        FakeBotApi() as telegram,
        FakeBotApi(flavour="bale", bot_username="mesocare_bale_bot", bot_id=888000) as bale,
    ):
        env = bot_env(
            telegram,
            tmp_path,
            BALE_BOT_TOKEN="654321:BALE-token-for-the-stand-in",
            BALE_API_BASE_URL=f"http://127.0.0.1:{bale.port}",
        )
        bot = BotProcess(telegram, env, tmp_path / "bot.log")
        bot.start()
        try:
            starts = (datetime.now(TEHRAN) + timedelta(days=3)).replace(hour=14, minute=0)
            telegram.send_text(ADMIN_ID, f"/enrol Sara Ahmadi {starts:%Y-%m-%d %H:%M}")
            (invite,) = telegram.wait_for(
                lambda c: "ble.ir/" in str(c.params.get("text", "")), timeout=20
            )
            text = str(invite.params["text"])
            assert "https://t.me/mesocare_test_bot?start=" in text
            token = _TOKEN.search(text)
            assert token is not None, text

            telegram.wait_for(lambda c: c.method == "sendPhoto", count=2, timeout=20)
            telegram.stop()  # Telegram is cut off mid-run
            bale.send_text(BALE_PATIENT, f"/start {token[1]}")
            bale.wait_for(_to(BALE_PATIENT), timeout=20)  # welcomed on Bale: linked there
            bale.send_text(BALE_PATIENT, "/start")
            bale.wait_for(_to(BALE_PATIENT), count=2, timeout=20)
        finally:
            status = bot.stop(signal.SIGTERM)
        log = bot.log()
        assert status == 0, log
        assert log.count("Telegram cannot be reached") == 1, log
        # No handler failed. (At the stop, python-telegram-bot's updater still logs, with a
        # traceback, that its last getUpdates could not reach Telegram: its own, left alone.)
        assert "error while handling an update" not in log
        assert bale.calls("setMyCommands") == []  # Bale has no command menus: never asked
        assert "654321:BALE-token-for-the-stand-in" not in log
