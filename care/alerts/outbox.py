"""The alerts waiting to reach staff: which they are, what they are about, and that one went."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from care.core.clock import to_epoch
from care.core.models import Appointment, AppointmentStatus, Patient
from care.db import alerts, appointments, patients
from care.db.alerts import AlertRow as AlertRow


@dataclass(frozen=True)
class AlertSubject:
    """The records an alert is about, as they stand now (either may be gone)."""

    patient: Patient | None
    appointment: Appointment | None


def undelivered(conn: sqlite3.Connection) -> list[AlertRow]:
    """The stored alerts not yet delivered to staff, oldest first."""
    return alerts.undelivered(conn)


def subject_of(conn: sqlite3.Connection, alert: AlertRow) -> AlertSubject:
    patient = patients.get(conn, alert.patient_id) if alert.patient_id is not None else None
    appointment = (
        appointments.get(conn, alert.appointment_id) if alert.appointment_id is not None else None
    )
    return AlertSubject(patient, appointment)


def booked_sessions(conn: sqlite3.Connection, patient_id: int) -> list[Appointment]:
    """The patient's sessions still booked, for an alert asking staff to find a new time."""
    return [
        a for a in appointments.of_patient(conn, patient_id) if a.status is AppointmentStatus.BOOKED
    ]


def mark_delivered(conn: sqlite3.Connection, alert_id: int, now: datetime) -> None:
    alerts.mark_delivered(conn, alert_id, to_epoch(now))
