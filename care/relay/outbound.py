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
from care.db import audit, chats, patients, relayed
from care.db.connection import transaction

REPLY_LIMIT = 3000  # characters: room for the clinic's heading in one Telegram message


@dataclass(frozen=True)
class ReplyTarget:
    relayed_id: int
    patient: Patient
    channel: str  # the channel the staff answered on: the patient wrote from it
    chat_id: int  # the patient's chat on that channel


def reply_target(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int
) -> ReplyTarget | None:
    """The patient behind the staff-chat message `message_id` on `channel`, if it is a
    relayed message (or the prompt to answer one) and the patient can still be written to
    there. A patient's words are posted only to the staff of the channel they wrote from, so
    the answer goes back on that channel, never to a chat id of another messenger."""
    row = relayed.by_post(conn, channel, chat_id, message_id)
    if row is None or row.direction != "in":
        return None
    patient = patients.get(conn, row.patient_id)
    if patient is None or patient.status is PatientStatus.ERASED:
        return None
    chat = next((c for c in chats.of_patient(conn, patient.id) if c.channel == channel), None)
    if chat is None:
        return None
    return ReplyTarget(row.id, patient, channel, chat.chat_id)


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
            actor=f"{target.channel}:{staff_user_id}",
            action="reply",
            subject=f"patient:{target.patient.id}",
            detail=f"relayed:{target.relayed_id}",
        )
    return reply_id
