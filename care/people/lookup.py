"""Reading a record the bot was pointed at (by number, or by the chat that wrote): plain
dataclasses, nothing changed."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.core.channels import TELEGRAM
from care.core.models import Appointment, AppointmentStatus, Patient
from care.db import appointments, patients


def patient_in_chat(
    conn: sqlite3.Connection, chat_id: int, channel: str = TELEGRAM
) -> Patient | None:
    """The patient whose chat on `channel` this is."""
    return patients.by_chat(conn, chat_id, channel)


def patient_record(conn: sqlite3.Connection, patient_id: int) -> Patient | None:
    return patients.get(conn, patient_id)


def appointment_record(conn: sqlite3.Connection, appointment_id: int) -> Appointment | None:
    return appointments.get(conn, appointment_id)


def appointments_of(conn: sqlite3.Connection, patient_id: int) -> list[Appointment]:
    """Every appointment of the patient, whatever its state, in order of time."""
    return appointments.of_patient(conn, patient_id)


def upcoming(conn: sqlite3.Connection, patient_id: int, now: datetime) -> list[Appointment]:
    """The patient's booked appointments not yet over."""
    return [
        a
        for a in appointments.of_patient(conn, patient_id)
        if a.status is AppointmentStatus.BOOKED and a.ends_at > now
    ]
