"""The sender against a real database and a recording transport: states, retries, alerts."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from care.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db import messages, patients
from care.db.worker import Database
from care.enrolment import Booking, CarePlan, Enrolment, enrol, redeem_invite
from care.models import MessageState, PatientStatus
from jobs.compose import Clinic, Composer, Outgoing
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, Result
from jobs.pacing import Pacer
from jobs.retry import MAX_ATTEMPTS
from tests.conftest import FakeClock


class RecordingTransport:
    """Delivers instantly and remembers what it sent; answers can be scripted per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Outgoing]] = []
        self.script: dict[int, list[Outcome]] = {}

    async def deliver(self, chat_id: int, message: Outgoing) -> Outcome:
        scripted = self.script.get(chat_id)
        if scripted:
            return scripted.pop(0)
        self.sent.append((chat_id, message))
        return Outcome(Result.SENT, telegram_message_id=len(self.sent))


class Alerts:
    """Counts the pokes the sender gives the staff-alert sender."""

    def __init__(self) -> None:
        self.pokes = 0

    def __call__(self) -> None:
        self.pokes += 1


def _alert_kinds(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT kind FROM alerts ORDER BY id")]


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
def dispatcher(
    db: Database, transport: RecordingTransport, alerts: Alerts, plan: CarePlan, clock: FakeClock
) -> Dispatcher:
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    clinic = Clinic("Test Clinic", "+98 21 0000 0000", "1 Test Street")
    return Dispatcher(
        db=db,
        transport=transport,
        composer=Composer(catalog, plan.protocol, clinic, plan.tz),
        protocol=plan.protocol,
        quiet=plan.quiet,
        tz_name=plan.tz.key,
        clock=clock,
        pacer=Pacer(per_second=1e6, per_chat_interval=0.0),
        on_alert=alerts,
        rng=random.Random(7),
    )


async def _enrol_linked(
    db: Database, plan: CarePlan, clock: FakeClock, chat_id: int, days_ahead: float = 3
) -> Enrolment:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(days=days_ahead), "en")
    enrolment = await db.run(
        enrol, booking, plan=plan, actor="test", invite_days=14, now=clock.now()
    )
    await db.run(redeem_invite, enrolment.token, chat_id=chat_id, now=clock.now())
    return enrolment


def _states(conn: sqlite3.Connection, appointment_id: int) -> dict[str, MessageState]:
    return {m.step: m.state for m in messages.of_appointment(conn, appointment_id)}


async def test_nothing_is_sent_before_it_is_due(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await _enrol_linked(db, plan, clock, chat_id=501)
    assert await dispatcher.deliver_due() == 0
    assert transport.sent == []


async def test_a_due_message_is_sent_once_in_the_patients_chat(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501)
    clock.advance(days=2)  # 24 h before the start: pre-care (due 26 h before) is due
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 0
    chat_id, outgoing = transport.sent[0]
    assert chat_id == 501
    assert "aspirin" in outgoing.text.lower()
    assert len(outgoing.buttons) == 3
    states = await db.run(_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.SENT


async def test_an_unlinked_patient_gets_nothing_until_they_link(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(hours=10), "en")
    enrolment = await db.run(enrol, booking, plan=plan, actor="t", invite_days=14, now=clock.now())
    await dispatcher.deliver_due()
    assert transport.sent == []
    await db.run(redeem_invite, enrolment.token, chat_id=777, now=clock.now())
    await dispatcher.deliver_due()  # a late booking: pre-care goes out as soon as they link
    assert [chat for chat, _ in transport.sent] == [777]


async def test_a_message_useless_after_downtime_is_skipped_not_sent_late(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501)
    clock.advance(days=3, hours=2)  # the bot was off until after the appointment
    await dispatcher.deliver_due()
    sent_texts = [o.text.lower() for _, o in transport.sent]
    assert not any("aspirin" in t for t in sent_texts)
    found = await db.run(messages.of_appointment, enrolment.appointment_ids[0])
    pre = next(m for m in found if m.step == "pre_care")
    assert pre.state is MessageState.SKIPPED
    assert pre.reason is not None and "expired" in pre.reason


async def test_a_crash_mid_send_costs_at_most_one_duplicate(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501)
    clock.advance(days=2)
    claims = await db.run(messages.claim_due, int(clock.now().timestamp()), 10)
    assert [c.step for c in claims] == ["pre_care"]  # claimed, then the process "dies"
    assert await dispatcher.recover() == 1
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 0
    states = await db.run(_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.SENT


async def test_rate_limit_waits_exactly_retry_after(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await _enrol_linked(db, plan, clock, chat_id=501)
    clock.advance(days=2)
    transport.script[501] = [Outcome(Result.RATE_LIMITED, retry_after=7)]
    assert await dispatcher.deliver_due() == 0
    clock.advance(seconds=6)
    assert await dispatcher.deliver_due() == 0
    clock.advance(seconds=1)
    assert await dispatcher.deliver_due() == 1


async def test_network_trouble_retries_then_gives_up_and_tells_staff(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501, days_ahead=10)
    clock.advance(days=8, hours=22)  # pre-care due, appointment still a day away
    transport.script[501] = [Outcome(Result.TRANSIENT, "TimedOut")] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        await dispatcher.deliver_due()
        clock.advance(minutes=11)
    found = await db.run(messages.of_appointment, enrolment.appointment_ids[0])
    pre = next(m for m in found if m.step == "pre_care")
    assert pre.state is MessageState.FAILED
    assert pre.attempts == MAX_ATTEMPTS
    assert await db.run(_alert_kinds) == ["delivery_failed"]
    assert alerts.pokes == 1
    assert transport.sent == []


async def test_a_blocked_bot_holds_the_patients_messages_and_alerts_once(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501)
    clock.advance(days=2)
    transport.script[501] = [Outcome(Result.UNREACHABLE, "Forbidden: bot was blocked by the user")]
    await dispatcher.deliver_due()
    await dispatcher.deliver_due()
    patient = await db.run(patients.get, enrolment.patient_id)
    assert patient is not None and patient.status is PatientStatus.UNREACHABLE
    assert await db.run(_alert_kinds) == ["unreachable"]
    states = await db.run(_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.PENDING
    await db.run(patients.set_status, enrolment.patient_id, PatientStatus.ACTIVE)  # /start again
    assert await dispatcher.deliver_due() == 1


async def test_after_downtime_nothing_goes_out_in_quiet_hours(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    # 10 days ahead at 10:30 Tehran; pre-care planned for the day before at 08:30 Tehran.
    # day-of (07:30 Tehran, in quiet hours) was moved to 21:30 the evening before.
    enrolment = await _enrol_linked(db, plan, clock, chat_id=501, days_ahead=10)
    clock.advance(days=9, hours=12, minutes=30)  # back at 23:00 Tehran that day: quiet hours
    assert await dispatcher.deliver_due() == 0
    assert transport.sent == []
    clock.advance(hours=9, minutes=1)  # 08:01 Tehran, still before the appointment
    assert await dispatcher.deliver_due() == 2
    states = await db.run(_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is states["day_of"] is MessageState.SENT
