"""Appointments: one row per session of a patient's course."""

from __future__ import annotations

import sqlite3

from care.core.clock import from_epoch
from care.core.models import Appointment, AppointmentStatus

_COLUMNS = "id, patient_id, starts_at, ends_at, session_number, session_count, area, status, course"


def _appointment(row: sqlite3.Row) -> Appointment:
    return Appointment(
        id=row["id"],
        patient_id=row["patient_id"],
        starts_at=from_epoch(row["starts_at"]),
        ends_at=from_epoch(row["ends_at"]),
        session_number=row["session_number"],
        session_count=row["session_count"],
        area=row["area"],
        status=AppointmentStatus(row["status"]),
        course=row["course"],
    )


def add(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    starts_at: int,
    ends_at: int,
    session_number: int,
    session_count: int,
    area: str | None,
    now: int,
    course: int = 1,
) -> int:
    cursor = conn.execute(
        "INSERT INTO appointments (patient_id, starts_at, ends_at, session_number,"
        " session_count, area, created_at, course) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (patient_id, starts_at, ends_at, session_number, session_count, area, now, course),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def get(conn: sqlite3.Connection, appointment_id: int) -> Appointment | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM appointments WHERE id = ?", (appointment_id,)
    ).fetchone()
    return _appointment(row) if row else None


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[Appointment]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM appointments WHERE patient_id = ? ORDER BY starts_at, id",
        (patient_id,),
    ).fetchall()
    return [_appointment(row) for row in rows]


def booked_between(conn: sqlite3.Connection, start: int, end: int) -> list[Appointment]:
    """Every patient's booked appointments that overlap [start, end) (epoch seconds)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM appointments WHERE status = 'booked'"
        " AND starts_at < ? AND ends_at > ? ORDER BY starts_at, id",
        (end, start),
    ).fetchall()
    return [_appointment(row) for row in rows]


def finish(conn: sqlite3.Connection, appointment_id: int, ends_at: int) -> bool:
    """Mark a booked appointment done at `ends_at`; False if it was not booked."""
    cursor = conn.execute(
        "UPDATE appointments SET status = 'done', ends_at = ? WHERE id = ? AND status = 'booked'",
        (ends_at, appointment_id),
    )
    return cursor.rowcount == 1


def set_status(conn: sqlite3.Connection, appointment_id: int, status: AppointmentStatus) -> None:
    conn.execute("UPDATE appointments SET status = ? WHERE id = ?", (status.value, appointment_id))


def reschedule(
    conn: sqlite3.Connection, appointment_id: int, *, starts_at: int, ends_at: int
) -> None:
    conn.execute(
        "UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
        (starts_at, ends_at, appointment_id),
    )


def renumber(
    conn: sqlite3.Connection, appointment_id: int, *, session_number: int, session_count: int
) -> None:
    conn.execute(
        "UPDATE appointments SET session_number = ?, session_count = ? WHERE id = ?",
        (session_number, session_count, appointment_id),
    )
