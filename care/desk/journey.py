"""What staff do to an appointment once it is booked, and what the patient is told."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.clock import to_epoch
from care.core.models import Appointment, AppointmentStatus, CareMessage, MessageState
from care.core.reasons import Reason
from care.db import appointments, audit, messages
from care.db.connection import transaction
from care.schedule.plan import CarePlan
from care.schedule.planning import SessionTimes, plan_session


class DoneOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_BOOKED = "not_booked"  # already done, cancelled or a no-show


@dataclass(frozen=True)
class DoneResult:
    outcome: DoneOutcome
    appointment: Appointment | None = None


def mark_done(
    conn: sqlite3.Connection,
    appointment_id: int,
    *,
    plan: CarePlan,
    actor: str,
    now: datetime,
) -> DoneResult:
    """Close the appointment now: post-care goes out at once if it has not yet, and the
    before-the-procedure messages that are still pending are cancelled."""
    with transaction(conn):
        appointment = appointments.get(conn, appointment_id)
        if appointment is None:
            return DoneResult(DoneOutcome.NOT_FOUND)
        if appointment.status is not AppointmentStatus.BOOKED:
            return DoneResult(DoneOutcome.NOT_BOOKED, appointment)
        ends_at = min(appointment.ends_at, now)
        appointments.finish(conn, appointment_id, to_epoch(ends_at))
        session = SessionTimes(
            starts_at=min(appointment.starts_at, ends_at),
            ends_at=ends_at,
            is_last_of_course=appointment.session_number == appointment.session_count,
        )
        _replan_pending(conn, appointment_id, session, plan=plan, now=now)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=actor,
            action="done",
            subject=f"appointment:{appointment_id}",
        )
        finished = appointments.get(conn, appointment_id)
    return DoneResult(DoneOutcome.DONE, finished)


def _replan_pending(
    conn: sqlite3.Connection,
    appointment_id: int,
    session: SessionTimes,
    *,
    plan: CarePlan,
    now: datetime,
) -> None:
    fresh = {
        p.step: p
        for p in plan_session(
            plan.protocol, session, tz=plan.tz, quiet=plan.quiet, now=now, working=plan.working
        )
    }
    for message in messages.of_appointment(conn, appointment_id):
        if message.state is not MessageState.PENDING:
            continue
        planned = fresh.get(message.step)
        before_procedure = plan.protocol.step(message.step).when.anchor == "start"
        if planned is None or planned.skip_reason or before_procedure:
            messages.transition(
                conn,
                message.id,
                from_state=MessageState.PENDING,
                to_state=MessageState.CANCELLED,
                reason=Reason.DONE_EARLY,
                now=to_epoch(now),
            )
            continue
        messages.move(
            conn,
            message.id,
            due_at=to_epoch(planned.due_at),
            expires_at=to_epoch(planned.expires_at),
            in_time_by=to_epoch(planned.in_time_by) if planned.in_time_by else None,
            ready_at=to_epoch(planned.ready_at),
            now=to_epoch(now),
        )


@dataclass(frozen=True)
class AppointmentSchedule:
    appointment: Appointment
    messages: list[CareMessage]


def schedule_of(conn: sqlite3.Connection, appointment_id: int) -> AppointmentSchedule | None:
    appointment = appointments.get(conn, appointment_id)
    if appointment is None:
        return None
    return AppointmentSchedule(appointment, messages.of_appointment(conn, appointment_id))
