"""The delivery clock wakes the sender at once at start-up and exactly when a message falls
due, not at the next safety tick."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.factories import linked_patients
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.fakes.schedule import ONE_STEP_PROTOCOL
from tests.served import InProcessBot, app_env

SAFETY_TICK = "30"


def _first_send(tmp_path: Path, due: datetime) -> tuple[float, ApiCall]:
    """Run the bot with one message due at `due`; return when the bot had started (on the
    monotonic clock the stand-in stamps calls with) and the message's send."""
    now = datetime.now(UTC)
    linked_patients(
        tmp_path / "mesocare.db", [2002], starts_at=due, now=now, protocol_path=ONE_STEP_PROTOCOL
    )
    with FakeBotApi() as api:
        env = app_env(api, tmp_path, CARE_PROTOCOL=str(ONE_STEP_PROTOCOL), POLL_SECONDS=SAFETY_TICK)
        with InProcessBot(api, env):
            started = time.monotonic()
            (call,) = api.wait_for(lambda c: c.method == "sendMessage", timeout=10)
    return started, call


def test_a_message_due_at_start_up_goes_out_at_once(tmp_path: Path) -> None:
    started, call = _first_send(tmp_path, datetime.now(UTC))
    assert call.at - started < 2  # not a safety tick (30 s) later


def test_a_message_falling_due_later_goes_out_when_due(tmp_path: Path) -> None:
    due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)  # whole seconds
    _, call = _first_send(tmp_path, due)
    sent_at = datetime.now(UTC) - timedelta(seconds=time.monotonic() - call.at)
    assert due - timedelta(seconds=0.1) <= sent_at < due + timedelta(seconds=2)
