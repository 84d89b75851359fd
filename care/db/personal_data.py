"""A patient's personal data as a whole: everything to export, everything to erase.

Personal data here: the name (and its search key), the phone, the chats (Telegram, Bale), the
treatment area, the patient's own answers, the staff alerts they caused (with staff's notes),
the days and times they asked for when they needed another time, and the messages relayed
between them and the staff chats (the clinic's replies in full; of the patient's own
messages, only their kind and time). What stays after erasure is
anonymous: appointment times, message states and their history, and audit rows, which name
the patient by number only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from care.db import chats, messages, relayed, reschedule_requests

ERASED_NAME = "erased"

Record = dict[str, Any]


def export(conn: sqlite3.Connection, patient_id: int) -> Record | None:
    """The patient's record, appointments and care messages (with states and answers), as
    plain values; None if there is no such patient."""
    patient = conn.execute(
        "SELECT id, full_name, phone, language, chat_id, preferred_channel, status, created_at"
        " FROM patients WHERE id = ?",
        (patient_id,),
    ).fetchone()
    if patient is None:
        return None
    appointments = conn.execute(
        "SELECT id, starts_at, ends_at, session_number, session_count, area, status, created_at"
        " FROM appointments WHERE patient_id = ? ORDER BY starts_at, id",
        (patient_id,),
    ).fetchall()
    care_messages = conn.execute(
        "SELECT id, appointment_id, step, due_at, expires_at, state, reason, attempts, sent_at,"
        " channel, answer, answered_at, comment FROM care_messages WHERE patient_id = ?"
        " ORDER BY due_at, id",
        (patient_id,),
    ).fetchall()
    linked = conn.execute(
        "SELECT channel, chat_id, linked_at, unreachable_at FROM patient_chats"
        " WHERE patient_id = ? ORDER BY linked_at",
        (patient_id,),
    ).fetchall()
    return {
        "patient": dict(patient),
        "chats": [dict(row) for row in linked],
        "appointments": [dict(row) for row in appointments],
        "care_messages": [dict(row) for row in care_messages],
        "relayed_messages": relayed.of_patient(conn, patient_id),
        "reschedule_requests": [
            {
                "appointment_id": request.appointment_id,
                "message_id": request.message_id,
                "asked_at": request.asked_at,
                "choices": [
                    {"day": day.isoformat(), "part": part} for day, part in request.choices
                ],
            }
            for request in reschedule_requests.of_patient(conn, patient_id)
        ],
    }


def erase(conn: sqlite3.Connection, patient_id: int, *, reason: str, now: int) -> int:
    """Erase the patient's personal data and cancel their pending messages (run inside a
    transaction); return how many messages were cancelled."""
    conn.execute(
        "UPDATE patients SET full_name = ?, name_key = '', phone = NULL, chat_id = NULL,"
        " status = 'erased' WHERE id = ?",
        (ERASED_NAME, patient_id),
    )
    chats.forget(conn, patient_id)
    conn.execute("UPDATE appointments SET area = NULL WHERE patient_id = ?", (patient_id,))
    conn.execute(
        "UPDATE care_messages SET answer = NULL, answered_at = NULL, comment = NULL"
        " WHERE patient_id = ?",
        (patient_id,),
    )
    cancelled = messages.cancel_pending_of_patient(conn, patient_id, reason=reason, now=now)
    conn.execute(
        "UPDATE invites SET revoked_at = ? WHERE patient_id = ? AND used_at IS NULL"
        " AND revoked_at IS NULL",
        (now, patient_id),
    )
    relayed.erase_of_patient(conn, patient_id)
    # The days and times that suit them say when they are free: theirs, not the clinic's.
    reschedule_requests.erase_of_patient(conn, patient_id)
    # An alert says what the patient told us (a blood thinner, symptoms): health data.
    conn.execute("DELETE FROM alerts WHERE patient_id = ?", (patient_id,))
    return cancelled
