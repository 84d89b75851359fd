"""A staff member answers a relayed message: who the answer goes to, and its record.

The reply's text is kept: it is what the clinic told the patient, which the clinic must be
able to show later (and export, and erase with the rest of the patient's data).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from care.core.clock import to_epoch
from care.core.models import Patient, PatientStatus
from care.db import audit, patients, relayed
from care.db.connection import transaction

REPLY_LIMIT = 3000  # characters: room for the clinic's heading in one Telegram message


@dataclass(frozen=True)
class ReplyTarget:
    relayed_id: int
    patient: Patient


def reply_target(conn: sqlite3.Connection, chat_id: int, message_id: int) -> ReplyTarget | None:
    """The patient behind the staff-chat message `message_id`, if it is a relayed message
    (or the prompt to answer one) and the patient can still be written to."""
    row = relayed.by_post(conn, chat_id, message_id)
    if row is None or row.direction != "in":
        return None
    patient = patients.get(conn, row.patient_id)
    if patient is None or patient.chat_id is None or patient.status is PatientStatus.ERASED:
        return None
    return ReplyTarget(row.id, patient)


def record_reply(
    conn: sqlite3.Connection,
    target: ReplyTarget,
    *,
    staff_user_id: int,
    staff_name: str,
    text: str,
    now: datetime,
) -> int:
    """Record a reply that reached the patient; the relayed message is answered."""
    at = to_epoch(now)
    with transaction(conn):
        reply_id = relayed.add(
            conn,
            patient_id=target.patient.id,
            direction="out",
            kind="text",
            now=at,
            body=text,
            staff_user_id=staff_user_id,
            staff_name=staff_name,
            answers_id=target.relayed_id,
        )
        relayed.mark_answered(conn, target.relayed_id, at)
        audit.record(
            conn,
            at=at,
            actor=f"telegram:{staff_user_id}",
            action="reply",
            subject=f"patient:{target.patient.id}",
            detail=f"relayed:{target.relayed_id}",
        )
    return reply_id
