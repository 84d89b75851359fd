"""Running the real bot process (`python -m bot`) on a seeded database, against the stand-in,
and reading back what reached the stand-in and when."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from http import HTTPStatus
from pathlib import Path

from bench.seed import CHAT_BASE
from tests.e2e.harness import BotProcess, bot_env
from tests.fakes.bot_api import ApiCall, FakeBotApi

_POLL_SECONDS = 0.25


@contextmanager
def running_bot(
    api: FakeBotApi, database: Path, work: Path, name: str, **settings: str
) -> Iterator[BotProcess]:
    """`python -m bot` with the default safety tick (and any other `settings`), started and,
    at the end, stopped."""
    env = bot_env(api, work, DATABASE_PATH=str(database), POLL_SECONDS="10", **settings)
    bot = BotProcess(api, env, work / f"{name}.log")
    bot.start(timeout=60)
    try:
        yield bot
    finally:
        bot.stop()


def deliveries(api: FakeBotApi) -> list[ApiCall]:
    """Care messages the stand-in accepted (sent to a patient's chat), in arrival order."""
    return [
        call
        for call in api.calls("sendMessage")
        if call.status == HTTPStatus.OK and int(call.params.get("chat_id", 0)) >= CHAT_BASE
    ]


def wait_for_deliveries(api: FakeBotApi, count: int, *, timeout: float) -> list[ApiCall]:
    """Poll (rather than hold the stand-in's lock in `wait_for`) until `count` arrived or the
    time is up; return what arrived."""
    deadline = time.monotonic() + timeout
    while True:
        arrived = deliveries(api)
        if len(arrived) >= count or time.monotonic() > deadline:
            return arrived
        time.sleep(_POLL_SECONDS)


def wall_clock(call: ApiCall) -> float:
    """When the stand-in received `call`, in epoch seconds (it records monotonic time)."""
    return call.at + time.time() - time.monotonic()


def busiest_second(calls: list[ApiCall]) -> int:
    """The most calls that arrived within any one-second window."""
    times = [call.at for call in calls]
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def states(database: Path) -> dict[int, tuple[str, str | None, int, int | None]]:
    """message id -> (state, reason, expires_at, sent_at), read without writing."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT id, state, reason, expires_at, sent_at FROM care_messages")
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
