"""What the harnesses that serve the application in the test's own event loop share
(`desk_harness.DeskBot`, `patient_harness.LiveBot`): waiting for the stand-in without blocking
the loop the bot runs on, and reaching the bot's database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from bot.services import CareApp, Services
from tests.bot.app_env import services_of
from tests.conftest import FakeClock
from tests.fakes.bot_api import ApiCall, FakeBotApi

T = TypeVar("T")


class InLoopBot:
    def __init__(self, app: CareApp, api: FakeBotApi, clock: FakeClock) -> None:
        self.app = app
        self.api = api
        self.clock = clock

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1, within: float = 30.0
    ) -> list[ApiCall]:
        return await asyncio.to_thread(self.api.wait_for, predicate, count=count, timeout=within)

    async def settle(self) -> None:
        """Until the bot has made no request for a moment (its handlers have answered)."""
        await asyncio.to_thread(self.api.wait_until_idle, quiet=0.3)

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.services.db.run(work, *args, **kwargs)

    def dump(self) -> str:
        """The whole database as SQL, to show that something changed nothing."""
        conn = sqlite3.connect(self.services.settings.database_path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()
