"""Fixtures for driving the real application in process (tests/driver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.driver import Driver, driving
from tests.fakes.bot_api import FakeBotApi


@pytest.fixture
def api() -> FakeBotApi:
    """The stand-in's rules and record, never listening: the driver answers in process."""
    return FakeBotApi()


@pytest.fixture
async def desk(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Driver]:
    async with driving(tmp_path, clock, api=api) as running:
        yield running
