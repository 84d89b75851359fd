"""What the schedule learns when a care message has been delivered.

Called by the sender inside the transaction that records the send, so a delivered message and
its consequences are written together or not at all.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.core.clock import from_epoch, to_epoch
from care.core.models import MessageState, PatientStatus
from care.db import messages, patients
from care.db.messages import Claim
from care.schedule.plan import CarePlan
from care.schedule.planning import plan_repeat
from care.schedule.protocol import STOPS_REPEATS


def after_delivery(
    conn: sqlite3.Connection, claim: Claim, *, plan: CarePlan, now: datetime
) -> None:
    """Note the appointment start the text described, and plan the next repetition of a
    repeating step (the six-monthly follow-up)."""
    messages.note_sent_for_start(conn, claim.message_id, claim.starts_at)
    if _repeats(conn, claim, plan):
        step = plan.protocol.step(claim.step)
        again = plan_repeat(
            step,
            previous_due=from_epoch(claim.due_at),
            tz=plan.tz,
            quiet=plan.quiet,
            working=plan.working,
        )
        messages.add(
            conn,
            appointment_id=claim.appointment_id,
            patient_id=claim.patient_id,
            step=claim.step,
            due_at=to_epoch(again.due_at),
            expires_at=to_epoch(again.expires_at),
            now=to_epoch(now),
            ready_at=to_epoch(again.ready_at),
        )


def _repeats(conn: sqlite3.Connection, claim: Claim, plan: CarePlan) -> bool:
    """A repetition is planned unless the step does not repeat (any more), the patient has
    stopped their messages, asked to stop these reminders in this chain (a "not now" declines
    only its own reminder), or the next one is already planned."""
    step = next((s for s in plan.protocol.steps if s.key == claim.step), None)
    if step is None or not step.repeat_months:
        return False
    patient = patients.get(conn, claim.patient_id)
    if patient is None or patient.status is not PatientStatus.ACTIVE:
        return False
    chain = [m for m in messages.of_appointment(conn, claim.appointment_id) if m.step == step.key]
    declined = any(m.answer in STOPS_REPEATS for m in chain)
    planned = any(m.state is MessageState.PENDING for m in chain)
    return not declined and not planned
