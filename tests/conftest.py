"""Fixtures shared by the whole suite: a fresh database, the shipped care plan, a fake clock."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from care.db.connection import connect
from care.schedule.plan import CarePlan
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol
from care.schedule.quiet_hours import QuietHours

os.environ.setdefault("PTB_TIMEDELTA", "true")

# No per-example deadline: it is a timing assertion, which belongs to the benchmark, and it
# failed only when other suites shared the two cores (a first holiday lookup of a year takes
# 70 ms). The examples themselves are unchanged.
settings.register_profile("mesocare", deadline=None)
settings.load_profile("mesocare")

TEHRAN = ZoneInfo("Asia/Tehran")

# Tests that start real bot processes and wait on real time: a handful take 10 to 40 seconds.
# Run first, and handed out a few at a time (scripts/test: --maxschedchunk), they overlap the
# thousands of quick ones instead of one of them being left running alone at the end.
SLOW_FIRST = (
    "tests/bench/",
    "tests/e2e/",
    "tests/jobs/test_faults.py",
    "tests/jobs/test_delivery_routing.py",
    "tests/care/schedule/test_protocol.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))  # stable: else as found


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    # A Sunday morning in Tehran, outside quiet hours.
    return FakeClock(datetime(2026, 12, 6, 7, 0, tzinfo=UTC))


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "mesocare.db")
    yield connection
    connection.close()


@pytest.fixture
def plan() -> CarePlan:
    return CarePlan(load_protocol(DEFAULT_PROTOCOL_PATH), TEHRAN, QuietHours.parse("22:00-08:00"))
