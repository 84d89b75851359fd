"""The alert "has not opened their invite" is raised 48 h before a session, once."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from care.alerts.invite_watch import raise_invites_not_opened
from care.core.models import AlertKind, AppointmentStatus
from care.db import alerts, appointments, patients
from care.people.enrolment import Booking, Enrolment, enrol
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock


def _enrol(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, ahead: timedelta
) -> Enrolment:
    booking = Booking("Sara Ahmadi", clock.now() + ahead, "fa")
    return enrol(conn, booking, plan=plan, actor="telegram:1", invite_days=14, now=clock.now())


def test_raised_48_hours_before_and_never_repeated(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock, timedelta(days=5))
    assert raise_invites_not_opened(conn, clock.now()) == 0
    clock.advance(days=3, minutes=-1)  # 49 h before
    assert raise_invites_not_opened(conn, clock.now()) == 0
    clock.advance(hours=1, minutes=1)  # 48 h before
    assert raise_invites_not_opened(conn, clock.now()) == 1
    clock.advance(hours=5)
    assert raise_invites_not_opened(conn, clock.now()) == 0
    (alert,) = alerts.undelivered(conn)
    assert alert.kind == AlertKind.INVITE_NOT_OPENED
    assert (alert.patient_id, alert.appointment_id) == (
        enrolment.patient_id,
        enrolment.appointment_ids[0],
    )


def test_not_raised_for_a_linked_patient_or_a_cancelled_session(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    linked = _enrol(conn, plan, clock, timedelta(days=1))
    patients.link_chat(conn, linked.patient_id, 5001, 0)
    cancelled = _enrol(conn, plan, clock, timedelta(days=1))
    appointments.set_status(conn, cancelled.appointment_ids[0], AppointmentStatus.CANCELLED)
    clock.advance(hours=3)
    assert raise_invites_not_opened(conn, clock.now()) == 0


def test_a_late_booking_gets_time_to_open_the_invite_first(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    _enrol(conn, plan, clock, timedelta(hours=20))
    assert raise_invites_not_opened(conn, clock.now()) == 0
    clock.advance(hours=1, minutes=59)
    assert raise_invites_not_opened(conn, clock.now()) == 0
    clock.advance(minutes=1)
    assert raise_invites_not_opened(conn, clock.now()) == 1


def test_not_raised_once_the_session_has_started(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    _enrol(conn, plan, clock, timedelta(days=5))
    clock.advance(days=5)
    assert raise_invites_not_opened(conn, clock.now()) == 0
