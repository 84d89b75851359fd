"""The wake-up clock: a delivery pass runs as soon as the bot is up, not a safety tick later."""

from __future__ import annotations

import asyncio
from datetime import datetime

from telegram.ext import ApplicationBuilder

from jobs.wakeup import DeliveryClock

TOKEN = "123456:TEST-token-for-the-local-stand-in"


class RecordingDispatcher:
    def __init__(self) -> None:
        self.passed = asyncio.Event()

    async def deliver_due(self) -> int:
        self.passed.set()
        return 0

    async def next_wake(self) -> datetime | None:
        return None


async def _nothing() -> None:
    return None


async def test_a_delivery_pass_runs_when_the_job_queue_starts_with_a_long_safety_tick() -> None:
    application = ApplicationBuilder().token(TOKEN).build()
    assert application.job_queue is not None
    dispatcher = RecordingDispatcher()
    # As in post_init: the clock is started before the JobQueue's scheduler runs.
    DeliveryClock(application.job_queue, dispatcher, 300.0, _nothing).start()  # type: ignore[arg-type]
    await application.job_queue.start()
    try:
        await asyncio.wait_for(dispatcher.passed.wait(), timeout=10)
    finally:
        await application.job_queue.stop()
