"""The chats a patient has, one per channel ("telegram", "bale": names only, as data), and
which channel is theirs by preference."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from care.core.channels import TELEGRAM

__all__ = ["TELEGRAM", "Chat"]


@dataclass(frozen=True)
class Chat:
    channel: str
    chat_id: int
    unreachable: bool  # the channel refused delivery to this chat (blocked, gone)


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[Chat]:
    """The patient's chats, the preferred channel's first, then in the order they linked."""
    rows = conn.execute(
        "SELECT c.channel, c.chat_id, c.unreachable_at FROM patient_chats c"
        " JOIN patients p ON p.id = c.patient_id WHERE c.patient_id = ?"
        " ORDER BY c.channel = p.preferred_channel DESC, c.linked_at, c.channel",
        (patient_id,),
    ).fetchall()
    return [Chat(row["channel"], row["chat_id"], row["unreachable_at"] is not None) for row in rows]


def patient_of(conn: sqlite3.Connection, channel: str, chat_id: int) -> int | None:
    row = conn.execute(
        "SELECT patient_id FROM patient_chats WHERE channel = ? AND chat_id = ?",
        (channel, chat_id),
    ).fetchone()
    return None if row is None else int(row["patient_id"])


def link(conn: sqlite3.Connection, patient_id: int, channel: str, chat_id: int, now: int) -> None:
    """Attach the chat; the first channel a patient links becomes their preferred one."""
    conn.execute(
        "INSERT INTO patient_chats (patient_id, channel, chat_id, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(patient_id, channel) DO UPDATE SET chat_id = excluded.chat_id,"
        " linked_at = excluded.linked_at, unreachable_at = NULL",
        (patient_id, channel, chat_id, now),
    )
    conn.execute(
        "UPDATE patients SET preferred_channel = COALESCE(preferred_channel, ?) WHERE id = ?",
        (channel, patient_id),
    )


def reachable_again(conn: sqlite3.Connection, patient_id: int, channel: str) -> None:
    """The patient wrote on this channel: it may carry their messages again."""
    conn.execute(
        "UPDATE patient_chats SET unreachable_at = NULL WHERE patient_id = ? AND channel = ?",
        (patient_id, channel),
    )


def mark_unreachable(conn: sqlite3.Connection, patient_id: int, channel: str, now: int) -> bool:
    """The channel refused delivery; True when some other linked chat may still reach them."""
    conn.execute(
        "UPDATE patient_chats SET unreachable_at = COALESCE(unreachable_at, ?)"
        " WHERE patient_id = ? AND channel = ?",
        (now, patient_id, channel),
    )
    row = conn.execute(
        "SELECT 1 FROM patient_chats WHERE patient_id = ? AND unreachable_at IS NULL",
        (patient_id,),
    ).fetchone()
    return row is not None


def prefer(conn: sqlite3.Connection, patient_id: int, channel: str) -> bool:
    """Make `channel` the patient's preferred one; False unless they have a chat there."""
    cursor = conn.execute(
        "UPDATE patients SET preferred_channel = ? WHERE id = ? AND EXISTS"
        " (SELECT 1 FROM patient_chats WHERE patient_id = ? AND channel = ?)",
        (channel, patient_id, patient_id, channel),
    )
    return cursor.rowcount == 1


def forget(conn: sqlite3.Connection, patient_id: int) -> None:
    """Erasure: no chat of the patient is kept."""
    conn.execute("DELETE FROM patient_chats WHERE patient_id = ?", (patient_id,))
    conn.execute("UPDATE patients SET preferred_channel = NULL WHERE id = ?", (patient_id,))
