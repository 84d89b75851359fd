"""The real application, run inside the test's own event loop against the local Bot API
stand-in: the handlers, the database worker, the sender and the alerts are the ones the bot
runs; only the clock is a FakeClock, so no test waits for a date.

    async with DeskBot(api, tmp_path, clock) as desk:
        api.send_text(STAFF, "/patient 12")
        (card,) = await desk.wait_for(text_to(STAFF, "patient #12"))

The safety tick is slow (POLL_SECONDS=300), so delivery runs when a handler pokes it or a
test calls `tick()`; `wait_for` blocks a worker thread, never the loop the bot runs on.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.services import CareApp, Services
from care.enrolment import Booking, Enrolment, enrol
from tests.bot.app_env import STAFF_ID, app_env, build_app, services_of, serving
from tests.bot.calls import sent_to
from tests.conftest import FakeClock
from tests.fakes.bot_api import ApiCall, FakeBotApi

T = TypeVar("T")


class DeskBot:
    def __init__(self, api: FakeBotApi, tmp_path: Path, clock: FakeClock, **env: str) -> None:
        self.api = api
        self.clock = clock
        self.database_path = tmp_path / "mesocare.db"
        self._env = app_env(api, tmp_path, POLL_SECONDS="300", **env)
        self._app: CareApp | None = None
        self._serving: AbstractAsyncContextManager[CareApp] | None = None

    @property
    def app(self) -> CareApp:
        assert self._app is not None, "use DeskBot as an async context manager"
        return self._app

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def __aenter__(self) -> Self:
        self._app = build_app(self._env, clock=self.clock)
        self._serving = serving(self._app)
        await self._serving.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._serving is not None
        await self._serving.__aexit__(exc_type, exc, traceback)

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1, within: float = 10.0
    ) -> list[ApiCall]:
        return await asyncio.to_thread(self.api.wait_for, predicate, count=count, timeout=within)

    async def idle(self) -> None:
        """Until the bot has made no request for a moment (its handlers have answered)."""
        await asyncio.to_thread(self.api.wait_until_idle, quiet=0.3)

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.services.db.run(work, *args, **kwargs)

    async def tick(self) -> None:
        """One whole run of the real delivery clock at the fake clock's time (send what is
        due, then the checks and staff alerts after it), awaited to its end: the run `poke`
        arms is taken off the scheduler and run here instead."""
        self.services.delivery.poke()
        job_queue = self.app.job_queue
        assert job_queue is not None
        (job,) = job_queue.get_jobs_by_name("deliver-next")  # jobs.wakeup's wake-up job
        job.schedule_removal()
        await job.run(self.app)

    def dump(self) -> str:
        """The whole database as SQL, to show that something changed nothing."""
        conn = sqlite3.connect(self.database_path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


async def enrol_patient(
    desk: DeskBot,
    name: str,
    *,
    phone: str | None = None,
    language: str = "en",
    sessions: int = 1,
    ahead: timedelta = timedelta(days=4),
) -> Enrolment:
    """Enrol through the domain (the desk's own enrolment is tested elsewhere)."""
    booking = Booking(
        full_name=name,
        starts_at=desk.clock.now() + ahead,
        language=language,
        session_count=sessions,
        area="face",
        phone=phone,
    )
    return await desk.db(
        enrol,
        booking,
        plan=desk.services.plan,
        actor=f"telegram:{STAFF_ID}",
        invite_days=14,
        now=desk.clock.now(),
    )


async def link(desk: DeskBot, enrolment: Enrolment, chat_id: int) -> None:
    """The patient opens their invite link, as they would in Telegram."""
    desk.api.send_text(chat_id, f"/start {enrolment.token}")
    await desk.wait_for(sent_to(chat_id, "Test Clinic"))
