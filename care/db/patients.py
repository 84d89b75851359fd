"""Patients: who they are, which chat is theirs, whether we may message them."""

from __future__ import annotations

import sqlite3

from care.core.models import Patient, PatientStatus
from care.db import chats

# chat_id: the chat on the patient's preferred channel (care/db/chats.py keeps every chat).
_COLUMNS = (
    "id, full_name, phone, language, status, preferred_channel,"
    " (SELECT c.chat_id FROM patient_chats c WHERE c.patient_id = patients.id"
    "  AND c.channel = patients.preferred_channel) AS chat_id"
)


def _patient(row: sqlite3.Row) -> Patient:
    return Patient(
        id=row["id"],
        full_name=row["full_name"],
        phone=row["phone"],
        language=row["language"],
        chat_id=row["chat_id"],
        status=PatientStatus(row["status"]),
        channel=row["preferred_channel"],
    )


def add(
    conn: sqlite3.Connection,
    *,
    full_name: str,
    name_key: str,
    language: str,
    phone: str | None,
    now: int,
) -> int:
    cursor = conn.execute(
        "INSERT INTO patients (full_name, name_key, phone, language, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (full_name, name_key, phone, language, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def get(conn: sqlite3.Connection, patient_id: int) -> Patient | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM patients WHERE id = ?", (patient_id,)).fetchone()
    return _patient(row) if row else None


def by_chat(
    conn: sqlite3.Connection, chat_id: int, channel: str = chats.TELEGRAM
) -> Patient | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM patients WHERE id ="
        " (SELECT patient_id FROM patient_chats WHERE channel = ? AND chat_id = ?)",
        (channel, chat_id),
    ).fetchone()
    return _patient(row) if row else None


def link_chat(
    conn: sqlite3.Connection,
    patient_id: int,
    chat_id: int,
    now: int = 0,
    channel: str = chats.TELEGRAM,
) -> None:
    """Attach a chat on `channel`; a patient who could not be reached becomes reachable again."""
    chats.link(conn, patient_id, channel, chat_id, now)
    if channel == chats.TELEGRAM:  # patients.chat_id is the Telegram chat (migration 7)
        conn.execute("UPDATE patients SET chat_id = ? WHERE id = ?", (chat_id, patient_id))
    conn.execute(
        "UPDATE patients SET"
        " status = CASE status WHEN 'unreachable' THEN 'active' ELSE status END"
        " WHERE id = ?",
        (patient_id,),
    )


def set_status(conn: sqlite3.Connection, patient_id: int, status: PatientStatus) -> bool:
    """Change the status; True when it was different before (so callers alert only once)."""
    cursor = conn.execute(
        "UPDATE patients SET status = ? WHERE id = ? AND status != ?",
        (status.value, patient_id, status.value),
    )
    return cursor.rowcount == 1


def set_language(conn: sqlite3.Connection, patient_id: int, language: str) -> None:
    conn.execute("UPDATE patients SET language = ? WHERE id = ?", (language, patient_id))


def with_name_parts(conn: sqlite3.Connection, parts: list[str]) -> list[Patient]:
    """Patients (erased ones aside) whose search key contains every one of `parts`, which
    are already folded with `care.text_input.fold_for_search`; newest first."""
    conditions = " AND ".join("name_key LIKE ? ESCAPE '\\'" for _ in parts)
    patterns = [f"%{_escape_like(part)}%" for part in parts]
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM patients WHERE status != 'erased' AND {conditions}"
        " ORDER BY id DESC",
        patterns,
    ).fetchall()
    return [_patient(row) for row in rows]


def with_name_key(conn: sqlite3.Connection, name_key: str) -> list[Patient]:
    """Patients (erased ones aside) whose whole folded name is `name_key`; newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM patients WHERE status != 'erased' AND name_key = ?"
        " ORDER BY id DESC",
        (name_key,),
    ).fetchall()
    return [_patient(row) for row in rows]


def with_phone(conn: sqlite3.Connection) -> list[Patient]:
    """Every patient with a phone number (erased ones aside), newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM patients WHERE phone IS NOT NULL AND status != 'erased'"
        " ORDER BY id DESC"
    ).fetchall()
    return [_patient(row) for row in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
