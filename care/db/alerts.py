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


def raised_since(conn: sqlite3.Connection, patient_id: int, since: int) -> bool:
    """Whether any alert about the patient was raised at or after `since`."""
    row = conn.execute(
        "SELECT 1 FROM alerts WHERE patient_id = ? AND created_at >= ? LIMIT 1",
        (patient_id, since),
    ).fetchone()
    return row is not None
