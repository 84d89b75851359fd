"""A patient's course of sessions: which session is which, and which one gets the steps the
protocol keeps for the last session (the six-monthly follow-up).

A patient's course is all of their appointments; the sessions that count are the booked and
done ones (a cancelled session or a no-show is not part of the treatment). Whenever staff add,
move, cancel or miss a session, the course is numbered again by start time and the last-session
steps follow the last session, so the follow-up is never lost nor sent twice.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from care.core.clock import to_epoch
from care.core.models import Appointment, AppointmentStatus, MessageState
from care.core.reasons import Reason
from care.db import appointments, messages
from care.schedule.planning import SessionTimes, plan_session

if TYPE_CHECKING:
    from care.schedule.plan import CarePlan

COUNTED = (AppointmentStatus.BOOKED, AppointmentStatus.DONE)


def plan_messages(
    conn: sqlite3.Connection,
    *,
    appointment_id: int,
    patient_id: int,
    session: SessionTimes,
    plan: CarePlan,
    now: datetime,
    only: frozenset[str] | None = None,
) -> None:
    """Store the session's planned care messages (only the steps in `only`, if given)."""
    for planned in plan_session(
        plan.protocol, session, tz=plan.tz, quiet=plan.quiet, now=now, working=plan.working
    ):
        if only is not None and planned.step not in only:
            continue
        messages.add(
            conn,
            appointment_id=appointment_id,
            patient_id=patient_id,
            step=planned.step,
            due_at=to_epoch(planned.due_at),
            expires_at=to_epoch(planned.expires_at),
            now=to_epoch(now),
            skip_reason=planned.skip_reason,
            in_time_by=to_epoch(planned.in_time_by) if planned.in_time_by else None,
            ready_at=to_epoch(planned.ready_at),
        )


def renumber(conn: sqlite3.Connection, patient_id: int) -> list[Appointment]:
    """Number the counted sessions of each course 1..n by start time; return every counted
    session in that order."""
    counted = [a for a in appointments.of_patient(conn, patient_id) if a.status in COUNTED]
    for course in {a.course for a in counted}:
        sessions = [a for a in counted if a.course == course]
        for number, appointment in enumerate(sessions, start=1):
            if (appointment.session_number, appointment.session_count) != (number, len(sessions)):
                appointments.renumber(
                    conn, appointment.id, session_number=number, session_count=len(sessions)
                )
    return [a for a in appointments.of_patient(conn, patient_id) if a.status in COUNTED]


def latest_course(conn: sqlite3.Connection, patient_id: int) -> int:
    """The number of the patient's latest course (1 for a patient with none yet)."""
    return max((a.course for a in appointments.of_patient(conn, patient_id)), default=1)


def session_times(appointment: Appointment, *, is_last: bool) -> SessionTimes:
    return SessionTimes(
        starts_at=appointment.starts_at, ends_at=appointment.ends_at, is_last_of_course=is_last
    )


def hand_over_last_steps(
    conn: sqlite3.Connection, patient_id: int, *, plan: CarePlan, now: datetime
) -> None:
    """The last counted session gets the last-session steps; every other session loses its
    pending ones. Run after `renumber`."""
    last_steps = frozenset(step.key for step in plan.protocol.steps if step.sessions == "last")
    if not last_steps:
        return
    counted = [a for a in appointments.of_patient(conn, patient_id) if a.status in COUNTED]
    last = counted[-1] if counted else None
    for appointment in appointments.of_patient(conn, patient_id):
        if last is None or appointment.id != last.id:
            messages.cancel_pending(
                conn, appointment.id, reason=Reason.NOT_LAST, now=to_epoch(now), steps=last_steps
            )
    if last is None:
        return
    kept = {
        m.step
        for m in messages.of_appointment(conn, last.id)
        if m.state is not MessageState.CANCELLED
    }
    missing = last_steps - kept
    if missing:
        plan_messages(
            conn,
            appointment_id=last.id,
            patient_id=patient_id,
            session=session_times(last, is_last=True),
            plan=plan,
            now=now,
            only=missing,
        )
