"""What the card offers staff for a patient's request for another time: the choices, and the
free starts that match them, each a tap away from moving the session.

A request stands while its session is booked at the start it was asked for; once staff move
it (or it is cancelled, done or missed) the card offers nothing more. A start is free when it
lies ahead, on a working day (care/schedule/working_time.py), within the clinic's hours and
the booking horizon, and overlaps no booked session of any patient but the one being moved.
The grid is the session's own length from the part of the day's beginning.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from care.core.clock import from_epoch, to_epoch
from care.core.models import Appointment, AppointmentStatus
from care.db import appointments
from care.db import reschedule_requests as requests
from care.schedule.day_parts import Choice, slot_starts, to_choices
from care.schedule.horizon import BOOKING_HORIZON
from care.schedule.working_time import WorkingTime

MAX_SLOTS = 9  # a card's buttons stay few enough to read


@dataclass(frozen=True)
class Offer:
    appointment: Appointment
    asked_at: datetime
    choices: list[Choice]
    slots: list[datetime]  # free starts matching the choices, in order, at most MAX_SLOTS


def offers_for(
    conn: sqlite3.Connection, patient_id: int, *, working: WorkingTime, now: datetime
) -> list[Offer]:
    """The patient's requests that still stand, each with its free starts."""
    found = []
    for stored in requests.of_patient(conn, patient_id):
        appointment = appointments.get(conn, stored.appointment_id)
        if (
            appointment is None
            or appointment.status is not AppointmentStatus.BOOKED
            or to_epoch(appointment.starts_at) != stored.for_start
            or appointment.starts_at <= now
        ):
            continue
        choices = to_choices(stored.choices)
        slots = free_starts(conn, appointment, choices, working=working, now=now)
        found.append(Offer(appointment, from_epoch(stored.asked_at), choices, slots))
    return found


def free_starts(
    conn: sqlite3.Connection,
    moving: Appointment,
    choices: list[Choice],
    *,
    working: WorkingTime,
    now: datetime,
    limit: int = MAX_SLOTS,
) -> list[datetime]:
    """The starts matching `choices` where `moving` fits, as the module docstring says."""
    length = moving.ends_at - moving.starts_at
    free: list[datetime] = []
    for choice in choices:
        starts = [
            s
            for s in slot_starts(choice, working, length)
            if now < s and s - now <= BOOKING_HORIZON and s != moving.starts_at
        ]
        if not starts:
            continue
        taken = [
            a
            for a in appointments.booked_between(
                conn, to_epoch(starts[0]), to_epoch(starts[-1] + length)
            )
            if a.id != moving.id
        ]
        free.extend(s for s in starts if not _overlaps(s, length, taken))
        if len(free) >= limit:
            break
    return sorted(set(free))[:limit]


def _overlaps(start: datetime, length: timedelta, taken: list[Appointment]) -> bool:
    return any(a.starts_at < start + length and start < a.ends_at for a in taken)
