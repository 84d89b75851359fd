"""Marking an appointment done: post-care now, before-session messages cancelled."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from care.core.models import AppointmentStatus, MessageState
from care.db import audit, messages
from care.desk.journey import DoneOutcome, mark_done, schedule_of
from care.people.enrolment import Booking, enrol
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock


def _appointment(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> int:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(days=3), "fa")
    enrolment = enrol(conn, booking, plan=plan, actor="t", invite_days=14, now=clock.now())
    return enrolment.appointment_ids[0]


def test_done_early_sends_post_care_now_and_cancels_what_came_before(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    appointment_id = _appointment(conn, plan, clock)
    clock.advance(days=3, minutes=20)  # twenty minutes into the session
    result = mark_done(conn, appointment_id, plan=plan, actor="telegram:1", now=clock.now())
    assert result.outcome is DoneOutcome.DONE
    assert result.appointment is not None
    assert result.appointment.status is AppointmentStatus.DONE
    assert result.appointment.ends_at == clock.now()
    by_step = {m.step: m for m in messages.of_appointment(conn, appointment_id)}
    assert by_step["post_care"].due_at == clock.now()
    assert by_step["post_care"].state is MessageState.PENDING
    assert by_step["wash_ok"].due_at == clock.now() + timedelta(hours=24)
    assert by_step["pre_care"].state is MessageState.CANCELLED
    assert by_step["day_of"].state is MessageState.CANCELLED
    assert audit.actions(conn, f"appointment:{appointment_id}") == ["done"]


def test_done_twice_is_refused_and_changes_nothing(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    appointment_id = _appointment(conn, plan, clock)
    clock.advance(days=3, hours=2)
    mark_done(conn, appointment_id, plan=plan, actor="t", now=clock.now())
    before = schedule_of(conn, appointment_id)
    clock.advance(minutes=5)
    again = mark_done(conn, appointment_id, plan=plan, actor="t", now=clock.now())
    assert again.outcome is DoneOutcome.NOT_BOOKED
    assert schedule_of(conn, appointment_id) == before
    assert audit.actions(conn, f"appointment:{appointment_id}") == ["done"]


def test_done_for_an_unknown_appointment(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    result = mark_done(conn, 999, plan=plan, actor="t", now=clock.now())
    assert result.outcome is DoneOutcome.NOT_FOUND
