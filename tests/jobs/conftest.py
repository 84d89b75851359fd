"""The sender wired to a real database, a recording transport and the fake clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db.worker import Database
from care.schedule.awake import AwakePatients
from care.schedule.plan import CarePlan
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.pacing import Pacer
from tests.conftest import FakeClock
from tests.jobs.support import UNPACED, Alerts, RecordingTransport, one_channel


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "mesocare.db")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def alerts() -> Alerts:
    return Alerts()


@pytest.fixture
def awake() -> AwakePatients:
    return AwakePatients()


@pytest.fixture
def dispatcher(
    db: Database,
    transport: RecordingTransport,
    alerts: Alerts,
    plan: CarePlan,
    clock: FakeClock,
    awake: AwakePatients,
) -> Dispatcher:
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    clinic = Clinic("Test Clinic", "+98 21 0000 0000", "1 Test Street", "115")
    return Dispatcher(
        db=db,
        channels=one_channel(
            transport,
            Pacer(
                per_second=1e6,
                private=UNPACED,
                group=UNPACED,
                monotonic=lambda: (
                    clock.now().timestamp()
                ),  # Telegram's waits pass on the fake clock
            ),
        ),
        composer=Composer(catalog, plan.protocol, clinic, plan.tz),
        plan=plan,
        clock=clock,
        on_alert=alerts,
        rng=random.Random(7),
        awake=awake,
    )
