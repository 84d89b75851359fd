"""Compatibility shim: what the in-loop harnesses (`desk_harness.DeskBot`,
`patient_harness.LiveBot`) share, now over the in-process driver (tests/driver.py). Waiting is
gone: `wait_for` settles the driver and checks the record at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.services import CareApp, Services
from tests.driver import Driver
from tests.fakes.bot_api import ApiCall, FakeBotApi

T = TypeVar("T")


class InLoopBot:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.app: CareApp = driver.app
        self.api: FakeBotApi = driver.api
        self.clock = driver.clock

    @property
    def services(self) -> Services:
        return self.driver.services

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1, within: float = 30.0
    ) -> list[ApiCall]:
        """The first `count` calls that match, once everything queued has been handled."""
        await self.driver.settle()
        matches = [call for call in self.api.calls() if predicate(call)]
        assert len(matches) >= count, f"expected {count} matching call(s), got {len(matches)}"
        return matches[:count]

    async def settle(self) -> None:
        """Until the bot has handled everything it was sent."""
        await self.driver.settle()

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.driver.db(work, *args, **kwargs)

    def dump(self) -> str:
        """The whole database as SQL, to show that something changed nothing."""
        return self.driver.dump()
