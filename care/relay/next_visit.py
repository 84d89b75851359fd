"""The patient's next booked session: what staff see first when a patient writes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.core.models import Appointment, AppointmentStatus
from care.db import appointments


def next_appointment(
    conn: sqlite3.Connection, patient_id: int, now: datetime
) -> Appointment | None:
    booked = [
        a
        for a in appointments.of_patient(conn, patient_id)
        if a.status is AppointmentStatus.BOOKED and a.ends_at > now
    ]
    return min(booked, key=lambda a: a.starts_at, default=None)
