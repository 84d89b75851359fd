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

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.services import CareApp
from care.people.enrolment import Booking, Enrolment, enrol
from tests.bot.app_env import STAFF_ID, app_env, build_app, serving
from tests.bot.calls import sent_to
from tests.bot.in_loop import InLoopBot
from tests.conftest import FakeClock
from tests.fakes.bot_api import FakeBotApi


class DeskBot(InLoopBot):
    def __init__(self, api: FakeBotApi, tmp_path: Path, clock: FakeClock, **env: str) -> None:
        app = build_app(app_env(api, tmp_path, POLL_SECONDS="300", **env), clock=clock)
        super().__init__(app, api, clock)
        self._serving: AbstractAsyncContextManager[CareApp] = serving(app)

    async def __aenter__(self) -> Self:
        await self._serving.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._serving.__aexit__(exc_type, exc, traceback)

    async def tick(self) -> None:
        """One whole run of the real delivery clock at the fake clock's time (send what is
        due, then the checks and staff alerts after it), awaited to its end: the run `poke`
        arms is taken off the scheduler and run here instead."""
        self.services.schedule_changed()
        job_queue = self.app.job_queue
        assert job_queue is not None
        (job,) = job_queue.get_jobs_by_name("deliver-next")  # jobs.wakeup's wake-up job
        job.schedule_removal()
        await job.run(self.app)


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
