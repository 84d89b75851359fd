"""The satisfaction question after a clean recovery, and the patient's optional comment.

"All fine" after the last session of a course is a clean recovery when no alert about the
patient raised since that session began is still open: one staff marked done no longer counts,
and one from before the session (the physician has seen the patient since) never did. The
protocol's `after = "clean_recovery"` steps are planned then, at most once for that session
(care/schedule/after_event.py). After the patient taps a score, their next text within
COMMENT_WINDOW is kept as their comment on it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.core.models import AppointmentStatus, Patient
from care.db import alert_owners, appointments, audit, messages
from care.db.connection import transaction
from care.people.patient_choices import linked_patient
from care.schedule.after_event import plan_after_event
from care.schedule.plan import CarePlan
from care.schedule.protocol import CareProtocol

EVENT = "clean_recovery"
COMMENT_WINDOW = timedelta(hours=1)
COMMENT_LIMIT = 1000  # characters kept of a comment
_COUNTED = (AppointmentStatus.BOOKED, AppointmentStatus.DONE)


def ask_after_clean_recovery(
    conn: sqlite3.Connection, message_id: int, *, plan: CarePlan, now: datetime
) -> bool:
    """Plan the satisfaction question if the "all fine" given to `message_id` ends a clean
    recovery from the course's last session; whether one was planned now."""
    with transaction(conn):
        message = messages.get(conn, message_id)
        if message is None or message.answer != "all_fine":
            return False
        appointment = appointments.get(conn, message.appointment_id)
        if (
            appointment is None
            or appointment.status not in _COUNTED
            or appointment.session_number != appointment.session_count
        ):
            return False
        if alert_owners.open_since(conn, appointment.patient_id, to_epoch(appointment.starts_at)):
            return False
        return bool(plan_after_event(conn, appointment, EVENT, plan=plan, now=now))


def take_comment(
    conn: sqlite3.Connection,
    chat_id: int,
    text: str,
    *,
    protocol: CareProtocol,
    now: datetime,
    channel: str = TELEGRAM,
) -> Patient | None:
    """Keep `text` as the comment of the patient's satisfaction answer given in the last
    COMMENT_WINDOW, if there is one without a comment; the patient whose comment it is, or
    None when it was not kept."""
    comment = text.strip()[:COMMENT_LIMIT]
    if not comment:
        return None
    steps = frozenset(step.key for step in protocol.after(EVENT))
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None:
            return None
        since = to_epoch(now - COMMENT_WINDOW)
        message_id = messages.awaiting_comment(conn, patient.id, steps, since)
        if message_id is None:
            return None
        messages.set_comment(conn, message_id, comment)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=f"patient:{patient.id}",
            action="comment",
            subject=f"message:{message_id}",
        )
    return patient
