"""The staff-chat messages that carry a relayed patient message (its header, its copy, the
Reply prompt): recorded (by channel) so a reply to any of them reaches the patient, and so every
copy can say who answered."""

from __future__ import annotations

import sqlite3

from care.core.models import Patient
from care.db import patients, relayed
from care.db.post import Post as Post
from care.db.relayed import RelayedRow as RelayedRow


def record_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int, relayed_id: int
) -> None:
    relayed.add_post(conn, channel, chat_id, message_id, relayed_id)


def posts_of(conn: sqlite3.Connection, relayed_id: int) -> list[Post]:
    return relayed.posts_of(conn, relayed_id)


def relayed_at(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int
) -> RelayedRow | None:
    """The relayed message this staff-chat message on `channel` belongs to, if any."""
    return relayed.by_post(conn, channel, chat_id, message_id)


def relayed_with_patient(
    conn: sqlite3.Connection, relayed_id: int
) -> tuple[RelayedRow, Patient] | None:
    """A relayed message and its patient, if both are still there."""
    row = relayed.get(conn, relayed_id)
    patient = None if row is None else patients.get(conn, row.patient_id)
    return None if row is None or patient is None else (row, patient)
