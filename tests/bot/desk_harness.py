"""Compatibility shim over the in-process driver (tests/driver.py): the real application with
a FakeClock, delivery on poke or on `tick()`.

    async with DeskBot(api, tmp_path, clock) as desk:
        api.send_text(STAFF, "/patient 12")
        (card,) = await desk.wait_for(text_to(STAFF, "patient #12"))
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from care.people.enrolment import Enrolment
from tests.bot.app_env import STAFF_ID
from tests.bot.calls import sent_to
from tests.bot.in_loop import InLoopBot
from tests.conftest import FakeClock
from tests.driver import Driver, driving
from tests.factories import enrolled
from tests.fakes.bot_api import FakeBotApi


class DeskBot(InLoopBot):
    def __init__(self, api: FakeBotApi, tmp_path: Path, clock: FakeClock, **env: str) -> None:
        self._driving: AbstractAsyncContextManager[Driver] = driving(
            tmp_path, clock, api=api, env=env
        )

    async def __aenter__(self) -> Self:
        super().__init__(await self._driving.__aenter__())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._driving.__aexit__(exc_type, exc, traceback)

    async def tick(self) -> None:
        """One whole run of the sender at the fake clock's time, awaited to its end."""
        await self.driver.tick()


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
    return await desk.db(
        enrolled,
        desk.services.plan,
        desk.clock.now(),
        actor=f"telegram:{STAFF_ID}",
        name=name,
        starts_in=ahead,
        language=language,
        sessions=sessions,
        area="face",
        phone=phone,
    )


async def link(desk: DeskBot, enrolment: Enrolment, chat_id: int) -> None:
    """The patient opens their invite link, as they would in Telegram."""
    desk.api.send_text(chat_id, f"/start {enrolment.token}")
    await desk.wait_for(sent_to(chat_id, "Test Clinic"))
