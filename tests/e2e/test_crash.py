"""The crash test: the real bot process, hundreds of care messages falling due, SIGKILL at
random moments again and again. Afterwards every message has arrived, none was lost, and
there are no more duplicates than kills.

Why the bound is the window per kill: a message is claimed ('sending') and committed before
it is handed to Telegram, and the sender has at most SEND_WINDOW sends in flight, recording
each answer as it comes. A kill can therefore strike while at most that many messages have
reached Telegram without their answer recorded; at the next start they (with every other one
left 'sending', which never reached Telegram) go back to pending and are sent again. So each
kill costs at most the window in duplicates, and a message is never dropped, because nothing
leaves 'sending' except by a recorded answer or by going back to pending.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.harness import BotProcess, bot_env
from tests.factories import linked_patients
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.schedule import DELIVERY_PROTOCOL, DELIVERY_STEPS, step_of

PATIENTS = range(10_000, 10_075)  # 75 patients x 4 steps = 300 messages
KILLS = 8  # the benchmark kills it 100 times per round trip and sender (bench network)
SEND_SECONDS = 0.05  # every send takes a moment, so kills often land mid-send
WINDOW = 4  # SEND_WINDOW: at most this many sends in flight, so duplicates per kill


def _states(db_path: Path) -> Counter[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return Counter(state for (state,) in conn.execute("SELECT state FROM care_messages"))


def test_killed_again_and_again_nothing_is_lost_and_duplicates_stay_within_the_bound(
    tmp_path: Path,
) -> None:
    rng = random.Random()
    seed = rng.randrange(1_000_000)
    rng.seed(seed)
    db_path = tmp_path / "mesocare.db"
    now = datetime.now(UTC)
    half = len(PATIENTS) // 2
    # Half are due at once, the other half fall due over the first seconds of running.
    linked_patients(db_path, PATIENTS[:half], starts_at=now - timedelta(minutes=1), now=now)
    linked_patients(db_path, PATIENTS[half:], starts_at=now + timedelta(seconds=6), now=now)
    expected = len(PATIENTS) * len(DELIVERY_STEPS)
    assert _states(db_path) == {"pending": expected}

    with FakeBotApi() as api:
        api.delay_next("sendMessage", SEND_SECONDS, times=100_000)
        env = bot_env(api, tmp_path, CARE_PROTOCOL=str(DELIVERY_PROTOCOL), SEND_WINDOW=str(WINDOW))
        bot = BotProcess(api, env, tmp_path / "bot.log")
        started = time.monotonic()
        for _ in range(KILLS):
            bot.start()
            time.sleep(rng.uniform(0.05, 1.2))
            bot.stop(signal.SIGKILL)
        bot.start()
        deadline = time.monotonic() + 40
        while _states(db_path)["sent"] < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        assert bot.stop() == 0
        elapsed = time.monotonic() - started
        delivered = Counter(
            (call.params["chat_id"], step_of(str(call.params["text"])))
            for call in api.calls("sendMessage")
            if call.status == 200
        )

    states = _states(db_path)
    duplicates = sum(count - 1 for count in delivered.values())
    print(
        f"\ncrash test (seed {seed}): {expected} messages, {len(delivered)} delivered, "
        f"{duplicates} duplicate(s), {KILLS} kills, {elapsed:.0f} s"
    )
    assert states == {"sent": expected}, states  # none lost, none left 'sending'
    assert set(delivered) == {(chat, step) for chat in PATIENTS for step in DELIVERY_STEPS}
    assert duplicates <= KILLS * WINDOW
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        recovered = conn.execute(
            "SELECT count(*) FROM message_events WHERE reason = 'interrupted'"
        ).fetchone()[0]
    assert recovered >= duplicates  # every duplicate was a message put back after a kill
