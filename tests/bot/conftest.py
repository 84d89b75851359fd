"""Fixtures for driving the real application in-process: the Bot API stand-in and the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.bot.desk_harness import DeskBot
from tests.conftest import FakeClock
from tests.fakes.bot_api import FakeBotApi


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def desk(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[DeskBot]:
    async with DeskBot(api, tmp_path, clock) as running:
        yield running
