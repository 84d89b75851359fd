"""Enrolling a patient and linking their Telegram chat through an invite."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from care.core.clock import to_epoch
from care.core.text_input import fold_for_search
from care.db import appointments, audit, patients
from care.db.connection import transaction
from care.people.invites import issue_invite
from care.schedule.course import plan_messages
from care.schedule.plan import CarePlan
from care.schedule.planning import SessionTimes


@dataclass(frozen=True)
class Booking:
    full_name: str
    starts_at: datetime
    language: str
    session_count: int = 1
    interval_days: int = 14
    area: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Enrolment:
    patient_id: int
    appointment_ids: tuple[int, ...]
    token: str
    invite_expires_at: datetime


def enrol(
    conn: sqlite3.Connection,
    booking: Booking,
    *,
    plan: CarePlan,
    actor: str,
    invite_days: int,
    now: datetime,
) -> Enrolment:
    """Create the patient, every session of the course, their planned messages and an invite,
    all in one transaction."""
    with transaction(conn):
        patient_id = patients.add(
            conn,
            full_name=booking.full_name,
            name_key=fold_for_search(booking.full_name),
            language=booking.language,
            phone=booking.phone,
            now=to_epoch(now),
        )
        ids = add_sessions(conn, patient_id, booking, course=1, plan=plan, now=now)
        token, expires = issue_invite(conn, patient_id, invite_days, now)
        audit.record(
            conn, at=to_epoch(now), actor=actor, action="enrol", subject=f"patient:{patient_id}"
        )
    return Enrolment(patient_id, ids, token, expires)


def add_sessions(
    conn: sqlite3.Connection,
    patient_id: int,
    booking: Booking,
    *,
    course: int,
    plan: CarePlan,
    now: datetime,
) -> tuple[int, ...]:
    """Every session of the booking's course, with its planned messages; their ids."""
    length = timedelta(minutes=plan.protocol.appointment_minutes)
    ids = []
    for number in range(1, booking.session_count + 1):
        starts = booking.starts_at + timedelta(days=booking.interval_days * (number - 1))
        ids.append(
            _add_session(
                conn,
                patient_id=patient_id,
                session=SessionTimes(
                    starts_at=starts,
                    ends_at=starts + length,
                    is_last_of_course=number == booking.session_count,
                ),
                number=number,
                count=booking.session_count,
                area=booking.area,
                plan=plan,
                now=now,
                course=course,
            )
        )
    return tuple(ids)


def _add_session(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    session: SessionTimes,
    number: int,
    count: int,
    area: str | None,
    plan: CarePlan,
    now: datetime,
    course: int = 1,
) -> int:
    appointment_id = appointments.add(
        conn,
        patient_id=patient_id,
        starts_at=to_epoch(session.starts_at),
        ends_at=to_epoch(session.ends_at),
        session_number=number,
        session_count=count,
        area=area,
        now=to_epoch(now),
        course=course,
    )
    plan_messages(
        conn,
        appointment_id=appointment_id,
        patient_id=patient_id,
        session=session,
        plan=plan,
        now=now,
    )
    return appointment_id
