"""Stopping the real bot process with SIGTERM or Ctrl-C while a care message is being sent:
the send finishes and is recorded, nothing is left half-done, the log has no traceback."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import BotProcess, bot_env
from tests.factories import linked_patients
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.schedule import DELIVERY_PROTOCOL, DELIVERY_STEPS, step_of

PATIENTS = [2002, 2003, 2004]
SLOW_SEND = 1.5


def _states(db_path: Path) -> Counter[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return Counter(state for (state,) in conn.execute("SELECT state FROM care_messages"))


def _delivered(api: FakeBotApi) -> Counter[tuple[int, str | None]]:
    return Counter(
        (call.params["chat_id"], step_of(str(call.params["text"])))
        for call in api.calls("sendMessage")
        if call.status == 200
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_mid_send_finishes_the_send_and_leaves_nothing_claimed(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    db_path = tmp_path / "mesocare.db"
    now = datetime.now(UTC)
    # Due a few seconds after start-up, so the send is woken by the timer armed for it while
    # the safety tick keeps firing; the slow send outlasts a tick interval.
    linked_patients(db_path, PATIENTS, starts_at=now + timedelta(seconds=4), now=now)
    expected = len(PATIENTS) * len(DELIVERY_STEPS)
    with FakeBotApi() as api:
        api.delay_next("sendMessage", SLOW_SEND)
        bot = BotProcess(
            api, bot_env(api, tmp_path, CARE_PROTOCOL=str(DELIVERY_PROTOCOL)), tmp_path / "bot.log"
        )
        bot.start()
        deadline = time.monotonic() + 15
        while not _states(db_path)["sending"] and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the first message is now with the (slow) stand-in
        assert bot.stop(stop_signal) == 0
        stopped = _states(db_path)
        assert stopped["sending"] == 0
        assert stopped["sent"] == sum(_delivered(api).values()) >= 1  # the slow send counted
        assert stopped["sent"] + stopped["pending"] == expected
        log = bot.log()
        for sign_of_trouble in ("Traceback", "CancelledError", "ERROR", "CRITICAL"):
            assert sign_of_trouble not in log

        bot.start()  # the rest goes out after the next start, none twice
        deadline = time.monotonic() + 20
        while _states(db_path)["sent"] < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert bot.stop() == 0
        delivered = _delivered(api)
    assert set(delivered) == {(chat, step) for chat in PATIENTS for step in DELIVERY_STEPS}
    assert set(delivered.values()) == {1}
    assert "Traceback" not in bot.log()
