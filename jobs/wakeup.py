"""The clock that wakes the sender: one timer armed at the next due message, plus a slow
safety tick. The schedule itself lives in the database, never one timer per message."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram.ext import CallbackContext, JobQueue

from jobs.delivery import Dispatcher

log = logging.getLogger(__name__)

_NEXT = "deliver-next"
_TICK = "deliver-tick"
# None: a wake-up that fires late (the machine slept, the loop was busy) still runs.
# APScheduler's default grace of 1 s would silently drop it.
_JOB_OPTIONS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class Wake(Protocol):
    """What the rest of the bot knows of the clock that wakes the sender: the schedule changed
    (`poke`), or the bot is stopping (`stop`). Tests put a recording fake in its place."""

    def poke(self) -> None: ...

    async def stop(self) -> None: ...


class DeliveryClock:
    """The real `Wake`, on PTB's JobQueue (APScheduler)."""

    def __init__(
        self,
        job_queue: JobQueue[Any],
        dispatcher: Dispatcher,
        safety_tick: float,
        after_each_run: Callable[[], Awaitable[object]],
    ) -> None:
        self._job_queue = job_queue
        self._dispatcher = dispatcher
        self._safety_tick = safety_tick
        self._after_each_run = after_each_run
        self._stopped = False

    def start(self) -> None:
        """Look at once, then every `safety_tick` seconds. (The tick alone would first fire a
        whole interval after the job queue starts: APScheduler moves an interval's start that
        has already passed to the next interval.)"""
        self._job_queue.run_repeating(
            self._run,
            interval=self._safety_tick,
            first=self._safety_tick,
            name=_TICK,
            job_kwargs=_JOB_OPTIONS,
        )
        self._arm(None)

    def poke(self) -> None:
        """Something changed the schedule (an enrolment, a link, /done): look again now."""
        if not self._stopped:
            self._arm(None)

    async def stop(self) -> None:
        """Before the job queue shuts down: no timer fires again, and the send in flight
        finishes and is recorded. (A timer still armed when APScheduler shuts down would be
        cancelled mid-run, which it logs as an error with a traceback.)"""
        self._stopped = True
        for name in (_NEXT, _TICK):
            for job in self._job_queue.get_jobs_by_name(name):
                job.schedule_removal()
        await self._dispatcher.stop()

    async def _run(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        if self._stopped:
            return
        await self._dispatcher.deliver_due()
        at = await self._dispatcher.next_wake()
        if at is not None and not self._stopped:
            self._arm(at)
        await self._after_each_run()

    def _arm(self, at: datetime | None) -> None:
        for job in self._job_queue.get_jobs_by_name(_NEXT):
            job.schedule_removal()
        when: datetime | timedelta = at if at is not None else timedelta(0)
        self._job_queue.run_once(self._run, when=when, name=_NEXT, job_kwargs=_JOB_OPTIONS)
