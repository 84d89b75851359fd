"""A patient's request for another time: one per session, with the days and parts of the day
that suit them. A second request for the same session replaces the first."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

_COLUMNS = "id, appointment_id, patient_id, message_id, for_start, alert_id, asked_at"


@dataclass(frozen=True)
class StoredRequest:
    id: int
    appointment_id: int
    patient_id: int
    message_id: int
    for_start: int  # the session's start when it was asked for (epoch seconds)
    alert_id: int | None
    asked_at: int
    choices: tuple[tuple[date, str], ...]  # (day, part), in order


def replace(
    conn: sqlite3.Connection,
    *,
    appointment_id: int,
    patient_id: int,
    message_id: int,
    for_start: int,
    asked_at: int,
    choices: list[tuple[date, str]],
) -> tuple[int, StoredRequest | None]:
    """Store the session's request in place of any earlier one; the new id and the earlier
    request (its choices are gone with it)."""
    earlier = _one(conn, "appointment_id = ?", appointment_id)
    if earlier is not None:
        conn.execute("DELETE FROM reschedule_requests WHERE id = ?", (earlier.id,))
    cursor = conn.execute(
        "INSERT INTO reschedule_requests (appointment_id, patient_id, message_id, for_start,"
        " asked_at) VALUES (?, ?, ?, ?, ?)",
        (appointment_id, patient_id, message_id, for_start, asked_at),
    )
    assert cursor.lastrowid is not None
    conn.executemany(
        "INSERT INTO reschedule_choices (request_id, day, part) VALUES (?, ?, ?)",
        [(cursor.lastrowid, day.isoformat(), part) for day, part in choices],
    )
    return cursor.lastrowid, earlier


def set_alert(conn: sqlite3.Connection, request_id: int, alert_id: int) -> None:
    conn.execute("UPDATE reschedule_requests SET alert_id = ? WHERE id = ?", (alert_id, request_id))


def for_alert(conn: sqlite3.Connection, alert_id: int) -> StoredRequest | None:
    return _one(conn, "alert_id = ?", alert_id)


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[StoredRequest]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM reschedule_requests WHERE patient_id = ? ORDER BY id",
        (patient_id,),
    ).fetchall()
    return [_request(conn, row) for row in rows]


def erase_of_patient(conn: sqlite3.Connection, patient_id: int) -> None:
    conn.execute("DELETE FROM reschedule_requests WHERE patient_id = ?", (patient_id,))


def _one(conn: sqlite3.Connection, where: str, value: int) -> StoredRequest | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM reschedule_requests WHERE {where}", (value,)
    ).fetchone()
    return None if row is None else _request(conn, row)


def _request(conn: sqlite3.Connection, row: sqlite3.Row) -> StoredRequest:
    choices = conn.execute(
        "SELECT day, part FROM reschedule_choices WHERE request_id = ? ORDER BY day, part",
        (row["id"],),
    ).fetchall()
    return StoredRequest(
        row["id"],
        row["appointment_id"],
        row["patient_id"],
        row["message_id"],
        row["for_start"],
        row["alert_id"],
        row["asked_at"],
        tuple((date.fromisoformat(c["day"]), c["part"]) for c in choices),
    )
