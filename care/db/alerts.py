"""Alerts to staff, stored before they are sent: one per event, never repeated, never lost."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class AlertRow:
    id: int
    kind: str
    patient_id: int | None
    appointment_id: int | None
    urgent: bool


def raise_once(
    conn: sqlite3.Connection,
    *,
    kind: str,
    dedupe_key: str,
    now: int,
    patient_id: int | None = None,
    appointment_id: int | None = None,
    urgent: bool = False,
) -> int | None:
    """Store an alert unless one with the same `dedupe_key` exists; its id, or None if not new."""
    cursor = conn.execute(
        "INSERT INTO alerts (kind, patient_id, appointment_id, dedupe_key, urgent, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING",
        (kind, patient_id, appointment_id, dedupe_key, int(urgent), now),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def undelivered(conn: sqlite3.Connection, limit: int = 50) -> list[AlertRow]:
    rows = conn.execute(
        "SELECT id, kind, patient_id, appointment_id, urgent FROM alerts"
        " WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        AlertRow(
            row["id"], row["kind"], row["patient_id"], row["appointment_id"], bool(row["urgent"])
        )
        for row in rows
    ]


def mark_delivered(conn: sqlite3.Connection, alert_id: int, now: int) -> None:
    conn.execute("UPDATE alerts SET delivered_at = ? WHERE id = ?", (now, alert_id))


def withdraw_undelivered(conn: sqlite3.Connection, alert_id: int) -> bool:
    """Drop an alert that has not reached staff yet (superseded before it went); False if it
    was delivered already, or is gone."""
    cursor = conn.execute("DELETE FROM alerts WHERE id = ? AND delivered_at IS NULL", (alert_id,))
    return cursor.rowcount == 1


def appointments_without_link(
    conn: sqlite3.Connection,
    *,
    starts_after: int,
    starts_by: int,
    booked_by: int,
    dedupe_prefix: str,
) -> list[tuple[int, int]]:
    """(appointment id, patient id) of each booked appointment starting in (starts_after,
    starts_by], booked by `booked_by`, whose patient has no linked chat (and is not erased),
    and for which no alert keyed `dedupe_prefix` + its id was raised yet."""
    rows = conn.execute(
        "SELECT a.id, a.patient_id FROM appointments a JOIN patients p ON p.id = a.patient_id"
        " WHERE a.status = 'booked' AND p.preferred_channel IS NULL AND p.status != 'erased'"
        " AND a.starts_at > ? AND a.starts_at <= ? AND a.created_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM alerts WHERE dedupe_key = ? || a.id)",
        (starts_after, starts_by, booked_by, dedupe_prefix),
    ).fetchall()
    return [(row["id"], row["patient_id"]) for row in rows]
