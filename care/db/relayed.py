"""Messages relayed between a patient and the staff chats, and the staff-chat messages a
reply can answer (`relay_posts`, by channel, chat and message)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from care.db.post import Post


@dataclass(frozen=True)
class RelayedRow:
    id: int
    patient_id: int
    direction: str  # "in": from the patient; "out": a staff reply to them
    kind: str  # text, photo, voice; held (over the rate limit); flood (the notice about them)
    answered_at: int | None


def add(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    direction: str,
    kind: str,
    now: int,
    body: str | None = None,
    staff_user_id: int | None = None,
    staff_name: str | None = None,
    answers_id: int | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO relayed (patient_id, direction, kind, body, staff_user_id, staff_name,"
        " answers_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (patient_id, direction, kind, body, staff_user_id, staff_name, answers_id, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def get(conn: sqlite3.Connection, relayed_id: int) -> RelayedRow | None:
    row = conn.execute(
        "SELECT id, patient_id, direction, kind, answered_at FROM relayed WHERE id = ?",
        (relayed_id,),
    ).fetchone()
    if row is None:
        return None
    return RelayedRow(
        row["id"], row["patient_id"], row["direction"], row["kind"], row["answered_at"]
    )


def mark_answered(conn: sqlite3.Connection, relayed_id: int, now: int) -> None:
    conn.execute("UPDATE relayed SET answered_at = ? WHERE id = ?", (now, relayed_id))


def add_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int, relayed_id: int
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO relay_posts (channel, chat_id, message_id, relayed_id)"
        " VALUES (?, ?, ?, ?)",
        (channel, chat_id, message_id, relayed_id),
    )


def by_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int
) -> RelayedRow | None:
    """The relayed patient message that the staff-chat message `message_id` belongs to."""
    row = conn.execute(
        "SELECT relayed_id FROM relay_posts WHERE channel = ? AND chat_id = ? AND message_id = ?",
        (channel, chat_id, message_id),
    ).fetchone()
    return None if row is None else get(conn, row["relayed_id"])


def posts_of(conn: sqlite3.Connection, relayed_id: int) -> list[Post]:
    """(chat, message) of each staff-chat message that carries the relayed message's header."""
    rows = conn.execute(
        "SELECT channel, chat_id, message_id FROM relay_posts WHERE relayed_id = ? ORDER BY rowid",
        (relayed_id,),
    ).fetchall()
    return [Post(row["channel"], row["chat_id"], row["message_id"]) for row in rows]


def inbound_since(conn: sqlite3.Connection, patient_id: int, since: int) -> dict[str, int]:
    """How many messages of each kind the patient sent since `since` (epoch seconds)."""
    rows = conn.execute(
        "SELECT kind, count(*) AS n FROM relayed WHERE patient_id = ? AND direction = 'in'"
        " AND at >= ? GROUP BY kind",
        (patient_id, since),
    ).fetchall()
    return {row["kind"]: row["n"] for row in rows}


def latest_flood(conn: sqlite3.Connection, patient_id: int, since: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM relayed WHERE patient_id = ? AND kind = 'flood' AND at >= ?"
        " ORDER BY at DESC, id DESC LIMIT 1",
        (patient_id, since),
    ).fetchone()
    return None if row is None else int(row["id"])


def of_patient(conn: sqlite3.Connection, patient_id: int) -> list[dict[str, object]]:
    """The patient's relayed messages for an export: kinds, times, who answered, replies."""
    rows = conn.execute(
        "SELECT id, direction, kind, body, staff_user_id, staff_name, answers_id, answered_at, at"
        " FROM relayed WHERE patient_id = ? ORDER BY at, id",
        (patient_id,),
    ).fetchall()
    return [dict(row) for row in rows]


def erase_of_patient(conn: sqlite3.Connection, patient_id: int) -> None:
    conn.execute(
        "DELETE FROM relay_posts WHERE relayed_id IN (SELECT id FROM relayed WHERE patient_id = ?)",
        (patient_id,),
    )
    # Replies first: each names the message it answers.
    conn.execute("DELETE FROM relayed WHERE patient_id = ? AND direction = 'out'", (patient_id,))
    conn.execute("DELETE FROM relayed WHERE patient_id = ?", (patient_id,))
