"""Steps planned when something happens to a session rather than for every session: the
protocol's `after` steps (the nudge after a no-show).

Each is planned at most once per session, whatever happens after: staff marking the same
session twice, a restart, a retried transaction. The session's existing messages say whether
it was planned already.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.core.clock import to_epoch
from care.core.models import Appointment
from care.db import messages
from care.schedule.plan import CarePlan
from care.schedule.planning import plan_after


def plan_after_event(
    conn: sqlite3.Connection,
    appointment: Appointment,
    event: str,
    *,
    plan: CarePlan,
    now: datetime,
) -> list[int]:
    """Store the messages of the steps that follow `event` on `appointment`, recorded `now`,
    unless the session already has one of that step; the new messages' ids."""
    planned_steps = {m.step for m in messages.of_appointment(conn, appointment.id)}
    added = []
    for step in plan.protocol.after(event):
        if step.key in planned_steps:
            continue
        planned = plan_after(
            step, marked=now, tz=plan.tz, quiet=plan.quiet, now=now, working=plan.working
        )
        added.append(
            messages.add(
                conn,
                appointment_id=appointment.id,
                patient_id=appointment.patient_id,
                step=step.key,
                due_at=to_epoch(planned.due_at),
                expires_at=to_epoch(planned.expires_at),
                now=to_epoch(now),
                skip_reason=planned.skip_reason,
                ready_at=to_epoch(planned.ready_at),
            )
        )
    return added
