"""The sender and quiet hours (issue 9): a message found due in quiet hours waits for the
morning only if it is still in time then (never past its `in_time_by`), and never for a
patient who is awake because they linked or wrote a moment ago."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from care.core.clock import to_epoch
from care.core.models import MessageState
from care.core.reasons import Reason
from care.db import appointments
from care.db.connection import transaction
from care.db.worker import Database
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import redeem_invite
from care.schedule.awake import AWAKE_FOR, AwakePatients, release_for_awake
from care.schedule.course import plan_messages
from care.schedule.plan import CarePlan
from care.schedule.planning import SessionTimes
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from tests.conftest import TEHRAN, FakeClock
from tests.factories import message_states
from tests.jobs.support import RecordingTransport

CHAT = 501


def tehran(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026, Tehran's clocks (the fake clock starts on Sunday 6 December)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


async def book(db: Database, plan: CarePlan, clock: FakeClock, starts_at: datetime) -> Enrolment:
    booking = Booking("Sara Ahmadi", starts_at, "en")
    return await db.run(enrol, booking, plan=plan, actor="test", invite_days=14, now=clock.now())


async def link(db: Database, clock: FakeClock, enrolment: Enrolment) -> None:
    await db.run(redeem_invite, enrolment.token, chat_id=CHAT, now=clock.now())


async def opens_the_invite(
    db: Database, clock: FakeClock, enrolment: Enrolment, awake: AwakePatients
) -> None:
    """As the /start handler does: link, and the patient is awake."""
    await link(db, clock, enrolment)
    awake.seen(enrolment.patient_id, clock.now())


async def writes(db: Database, clock: FakeClock, enrolment: Enrolment, awake: AwakePatients) -> int:
    """As the handler of any patient update does: awake, and what waited is released."""
    awake.seen(enrolment.patient_id, clock.now())
    return await db.run(release_for_awake, enrolment.patient_id, clock.now())


def _row(conn: sqlite3.Connection, step: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT state, reason, due_at, wake_at, in_time_by, ready_at FROM care_messages"
        " WHERE step = ?",
        (step,),
    ).fetchone()
    assert isinstance(row, sqlite3.Row)
    return row


async def test_downtime_ending_before_the_line_still_waits_for_the_morning(
    dispatcher: Dispatcher, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    # 09:30 on the 10th: pre-care's 26 h (07:30 on the 9th) is in quiet hours, so it was
    # planned for 21:30 on the 8th; its line is 09:30 on the 9th, after 08:00.
    enrolment = await book(db, plan, clock, tehran(10, 9, 30))
    await link(db, clock, enrolment)
    clock.at = tehran(8, 23, 0)  # the bot was off from 21:00 to 23:00
    assert await dispatcher.deliver_due() == 0
    row = await db.run(_row, "pre_care")
    assert (row["state"], row["reason"]) == ("pending", Reason.QUIET_HOURS)
    assert row["wake_at"] == int(tehran(9, 8, 0).timestamp())
    assert row["in_time_by"] == int(tehran(9, 9, 30).timestamp())
    clock.at = tehran(9, 8, 0)
    assert await dispatcher.deliver_due() == 1


async def test_downtime_ending_when_the_morning_is_too_late_sends_at_once(
    dispatcher: Dispatcher, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    # 07:30 on the 10th: pre-care planned for 21:30 on the 8th, its line 07:30 on the 9th,
    # before quiet hours end; day-of planned for 21:30 on the 9th, its line 06:30 on the 10th.
    enrolment = await book(db, plan, clock, tehran(10, 7, 30))
    await link(db, clock, enrolment)
    clock.at = tehran(8, 23, 30)
    assert await dispatcher.deliver_due() == 1  # at 23:30: tonight beats the morning
    clock.at = tehran(9, 23, 59)
    assert await dispatcher.deliver_due() == 1
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is states["day_of"] is MessageState.SENT


async def test_a_patient_who_links_at_23_30_gets_what_is_due_at_once(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    awake: AwakePatients,
) -> None:
    # Booked at 10:30 on the 6th for 10:00 on the 7th: pre-care (its line long past) is due at
    # once, day-of was moved to 21:30 on the 6th. The patient opens the invite at 23:30.
    enrolment = await book(db, plan, clock, tehran(7, 10, 0))
    clock.at = tehran(6, 23, 30)
    await opens_the_invite(db, clock, enrolment, awake)
    assert await dispatcher.deliver_due() == 2
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is states["day_of"] is MessageState.SENT


async def test_a_patient_who_writes_in_quiet_hours_gets_what_waited_for_the_morning(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    awake: AwakePatients,
) -> None:
    # 10:00 on the 8th, booked and linked at 10:30 on the 6th; day-of planned for 21:30 on
    # the 7th, its line 09:00 on the 8th. The bot is off until 23:00: day-of waits.
    enrolment = await book(db, plan, clock, tehran(8, 10, 0))
    await link(db, clock, enrolment)
    clock.at = tehran(7, 23, 0)
    assert await dispatcher.deliver_due() == 1  # pre-care: its line (10:00 on the 7th) passed
    assert await dispatcher.deliver_due() == 0  # day-of waits for 08:00
    clock.at = tehran(7, 23, 20)
    assert await writes(db, clock, enrolment, awake) == 1  # the patient writes
    assert await dispatcher.deliver_due() == 1
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["day_of"] is MessageState.SENT
    assert len(transport.sent) == 2


@pytest.mark.parametrize(("after", "sent"), [(AWAKE_FOR - timedelta(seconds=1), 2), (AWAKE_FOR, 1)])
async def test_awake_wears_off(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    after: timedelta,
    sent: int,
    awake: AwakePatients,
) -> None:
    # 10:00 on the 8th: pre-care due 08:00 on the 7th (line 10:00), day-of 21:30 on the 7th
    # (line 09:00 on the 8th). The bot is off; the patient writes at 22:00 on the 7th.
    enrolment = await book(db, plan, clock, tehran(8, 10, 0))
    await link(db, clock, enrolment)
    clock.at = tehran(7, 22, 0)
    await writes(db, clock, enrolment, awake)
    clock.at += after  # the bot is back
    assert await dispatcher.deliver_due() == sent  # pre-care is past its line: always
    held = await db.run(_row, "day_of")
    assert (held["state"] == "pending") is (sent == 1)


async def test_a_morning_planned_at_booking_is_released_when_the_patient_is_awake(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    awake: AwakePatients,
) -> None:
    # A linked patient gets a second session at 23:00 on the 6th, for 10:00 on the 7th:
    # pre-care (its line long past) is due at once, day-of is planned for 08:00, ready now.
    enrolment = await book(db, plan, clock, tehran(20, 10, 0))
    await link(db, clock, enrolment)
    clock.at = tehran(6, 23, 0)
    appointment = await db.run(_add_session, enrolment.patient_id, tehran(7, 10, 0), plan, clock)
    row = await db.run(_row_of, appointment, "day_of")
    assert row["due_at"] == row["wake_at"] == int(tehran(7, 8, 0).timestamp())
    assert row["ready_at"] == int(tehran(6, 23, 0).timestamp())
    assert await dispatcher.deliver_due() == 1  # pre-care
    assert await dispatcher.deliver_due() == 0  # day-of waits for the morning...
    clock.at = tehran(6, 23, 10)
    assert await writes(db, clock, enrolment, awake) == 1  # ...unless the patient writes
    assert await dispatcher.deliver_due() == 1
    assert (await db.run(message_states, appointment))["day_of"] is MessageState.SENT


def _add_session(
    conn: sqlite3.Connection, patient_id: int, starts_at: datetime, plan: CarePlan, clock: FakeClock
) -> int:
    with transaction(conn):
        now = clock.now()
        appointment = appointments.add(
            conn,
            patient_id=patient_id,
            starts_at=to_epoch(starts_at),
            ends_at=to_epoch(starts_at + timedelta(hours=1)),
            session_number=1,
            session_count=1,
            area=None,
            now=to_epoch(now),
        )
        session = SessionTimes(starts_at, starts_at + timedelta(hours=1), False)
        plan_messages(
            conn, appointment_id=appointment, patient_id=patient_id, session=session,
            plan=plan, now=now,
        )  # fmt: skip
    return appointment


def _row_of(conn: sqlite3.Connection, appointment_id: int, step: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT due_at, wake_at, ready_at FROM care_messages WHERE appointment_id = ? AND step = ?",
        (appointment_id, step),
    ).fetchone()
    assert isinstance(row, sqlite3.Row)
    return row


async def test_being_awake_does_not_cut_a_retry_wait_short(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    awake: AwakePatients,
) -> None:
    enrolment = await book(db, plan, clock, tehran(8, 10, 0))
    await link(db, clock, enrolment)
    transport.script[CHAT] = [Outcome(SendResult.TRANSIENT, "TimedOut")]
    assert await dispatcher.deliver_due() == 0  # pre-care is due now; the send times out
    clock.advance(seconds=1)
    assert await writes(db, clock, enrolment, awake) == 0
    row = await db.run(_row, "pre_care")
    assert row["wake_at"] > clock.now().timestamp()
