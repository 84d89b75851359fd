"""The morning sheet: at opening time on each working day, one message to staff with the day's
appointments, the open alerts, the patients the bot cannot reach and tomorrow's unopened
invites. Sent once a day, recorded in the database so a restart never sends it twice; a bot
that was down at opening sends it when it comes back, while the clinic is still open that day.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from care.core.clock import from_epoch, to_epoch
from care.db import alert_owners, patients
from care.db.alert_owners import OwnedAlert
from care.schedule.working_time import WorkingTime

LIST_LIMIT = 15  # lines per part; the rest is counted


@dataclass(frozen=True)
class SheetVisit:
    appointment_id: int
    patient_id: int
    patient_name: str
    starts_at: datetime
    status: str  # the appointment's status
    linked: bool


@dataclass(frozen=True)
class SheetPatient:
    patient_id: int
    patient_name: str


@dataclass(frozen=True)
class MorningSheet:
    day: date
    visits: tuple[SheetVisit, ...]
    alerts: tuple[OwnedAlert, ...]
    alert_count: int
    unreachable: tuple[SheetPatient, ...]
    not_opened: tuple[SheetVisit, ...]  # tomorrow's sessions whose invite is not opened
    names: dict[int, str]  # the name of each patient an open alert is about


def due_day(conn: sqlite3.Connection, now: datetime, working: WorkingTime) -> date | None:
    """Today (clinic time), if the clinic is open and today's sheet has not been sent."""
    if not working.is_open(now):
        return None
    today = now.astimezone(working.tz).date()
    sent = conn.execute("SELECT 1 FROM morning_sheets WHERE day = ?", (today.isoformat(),))
    return None if sent.fetchone() else today


def claim(conn: sqlite3.Connection, day: date, now: datetime) -> bool:
    """Mark the day's sheet as sent; False if it already was."""
    cursor = conn.execute(
        "INSERT INTO morning_sheets (day, sent_at) VALUES (?, ?) ON CONFLICT(day) DO NOTHING",
        (day.isoformat(), to_epoch(now)),
    )
    return cursor.rowcount == 1


def release(conn: sqlite3.Connection, day: date) -> None:
    """The sheet could not be sent to anyone: try again at the next run."""
    conn.execute("DELETE FROM morning_sheets WHERE day = ?", (day.isoformat(),))


def gather(conn: sqlite3.Connection, day: date, working: WorkingTime) -> MorningSheet:
    open_alerts = tuple(alert_owners.open_alerts(conn, LIST_LIMIT))
    names = {}
    for alert in open_alerts:
        patient = patients.get(conn, alert.patient_id) if alert.patient_id is not None else None
        if patient is not None:
            names[patient.id] = patient.full_name
    return MorningSheet(
        day=day,
        visits=_visits(conn, day, working, not_opened=False),
        alerts=open_alerts,
        alert_count=alert_owners.count_open(conn),
        unreachable=_unreachable(conn),
        not_opened=_visits(conn, day + timedelta(days=1), working, not_opened=True),
        names=names,
    )


def _visits(
    conn: sqlite3.Connection, day: date, working: WorkingTime, *, not_opened: bool
) -> tuple[SheetVisit, ...]:
    start = datetime.combine(day, time(0, 0), tzinfo=working.tz)
    end = start + timedelta(days=1)
    extra = " AND a.status = 'booked' AND p.chat_id IS NULL" if not_opened else ""
    rows = conn.execute(
        "SELECT a.id, a.patient_id, p.full_name, a.starts_at, a.status,"
        " p.chat_id IS NOT NULL AS linked FROM appointments a"
        " JOIN patients p ON p.id = a.patient_id"
        " WHERE a.starts_at >= ? AND a.starts_at < ? AND p.status != 'erased'"
        f"{extra} ORDER BY a.starts_at, a.id LIMIT ?",
        (to_epoch(start), to_epoch(end), LIST_LIMIT),
    ).fetchall()
    return tuple(
        SheetVisit(
            row["id"],
            row["patient_id"],
            row["full_name"],
            from_epoch(row["starts_at"]),
            row["status"],
            bool(row["linked"]),
        )
        for row in rows
    )


def _unreachable(conn: sqlite3.Connection) -> tuple[SheetPatient, ...]:
    rows = conn.execute(
        "SELECT id, full_name FROM patients WHERE status = 'unreachable' ORDER BY id LIMIT ?",
        (LIST_LIMIT,),
    ).fetchall()
    return tuple(SheetPatient(row["id"], row["full_name"]) for row in rows)
