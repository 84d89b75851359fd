"""Who has each alert, where it was posted, and which alerts are still open."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from care.db.post import Post

_COLUMNS = (
    "id, kind, patient_id, appointment_id, urgent, created_at, owner_id, owner_name, taken_at,"
    " closed_at, note, escalated_at, owner_channel"
)


@dataclass(frozen=True)
class OwnedAlert:
    id: int
    kind: str
    patient_id: int | None
    appointment_id: int | None
    urgent: bool
    created_at: int
    owner_id: int | None
    owner_name: str | None
    taken_at: int | None
    closed_at: int | None
    note: str | None
    escalated_at: int | None
    owner_channel: str | None = None  # the messenger the owner's id is from

    def owned_by(self, user_id: int, channel: str) -> bool:
        """Whether this user of this messenger has it (the same number elsewhere is not)."""
        return self.owner_id == user_id and self.owner_channel == channel


def _alert(row: sqlite3.Row) -> OwnedAlert:
    return OwnedAlert(
        row["id"],
        row["kind"],
        row["patient_id"],
        row["appointment_id"],
        bool(row["urgent"]),
        row["created_at"],
        row["owner_id"],
        row["owner_name"],
        row["taken_at"],
        row["closed_at"],
        row["note"],
        row["escalated_at"],
        row["owner_channel"],
    )


def get(conn: sqlite3.Connection, alert_id: int) -> OwnedAlert | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return None if row is None else _alert(row)


def take(
    conn: sqlite3.Connection, alert_id: int, user_id: int, name: str, now: int, *, channel: str
) -> bool:
    """The first taker wins: False if someone has it already or it is closed. `channel`: the
    messenger `user_id` is from."""
    cursor = conn.execute(
        "UPDATE alerts SET owner_id = ?, owner_channel = ?, owner_name = ?, taken_at = ?"
        " WHERE id = ? AND owner_id IS NULL AND closed_at IS NULL",
        (user_id, channel, name, now, alert_id),
    )
    return cursor.rowcount == 1


def close(conn: sqlite3.Connection, alert_id: int, now: int) -> bool:
    cursor = conn.execute(
        "UPDATE alerts SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (now, alert_id)
    )
    return cursor.rowcount == 1


def set_note(conn: sqlite3.Connection, alert_id: int, note: str) -> bool:
    cursor = conn.execute(
        "UPDATE alerts SET note = ? WHERE id = ? AND closed_at IS NOT NULL AND note IS NULL",
        (note, alert_id),
    )
    return cursor.rowcount == 1


def mark_escalated(conn: sqlite3.Connection, alert_id: int, now: int) -> bool:
    cursor = conn.execute(
        "UPDATE alerts SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL", (now, alert_id)
    )
    return cursor.rowcount == 1


def open_alerts(conn: sqlite3.Connection, limit: int = 50) -> list[OwnedAlert]:
    """Alerts sent to staff and not closed, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM alerts WHERE closed_at IS NULL AND delivered_at IS NOT NULL"
        " ORDER BY created_at, id LIMIT ?",
        (limit,),
    ).fetchall()
    return [_alert(row) for row in rows]


def count_open(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM alerts WHERE closed_at IS NULL AND delivered_at IS NOT NULL"
        ).fetchone()[0]
    )


def open_since(conn: sqlite3.Connection, patient_id: int, since: int) -> bool:
    """Whether an alert about the patient raised at or after `since` is still open (not
    marked done), whether or not it has reached staff yet."""
    row = conn.execute(
        "SELECT 1 FROM alerts WHERE patient_id = ? AND created_at >= ? AND closed_at IS NULL"
        " LIMIT 1",
        (patient_id, since),
    ).fetchone()
    return row is not None


def unowned_urgent(conn: sqlite3.Connection) -> list[OwnedAlert]:
    """Urgent alerts sent to staff that nobody has taken and that were never escalated."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM alerts WHERE urgent = 1 AND owner_id IS NULL"
        " AND closed_at IS NULL AND escalated_at IS NULL AND delivered_at IS NOT NULL"
        " ORDER BY created_at, id"
    ).fetchall()
    return [_alert(row) for row in rows]


def add_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int, alert_id: int
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO alert_posts (channel, chat_id, message_id, alert_id)"
        " VALUES (?, ?, ?, ?)",
        (channel, chat_id, message_id, alert_id),
    )


def posts_of(conn: sqlite3.Connection, alert_id: int) -> list[Post]:
    rows = conn.execute(
        "SELECT channel, chat_id, message_id FROM alert_posts WHERE alert_id = ? ORDER BY rowid",
        (alert_id,),
    ).fetchall()
    return [Post(row["channel"], row["chat_id"], row["message_id"]) for row in rows]


def by_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int
) -> OwnedAlert | None:
    row = conn.execute(
        "SELECT alert_id FROM alert_posts WHERE channel = ? AND chat_id = ? AND message_id = ?",
        (channel, chat_id, message_id),
    ).fetchone()
    return None if row is None else get(conn, row["alert_id"])


def latest_for_patient(
    conn: sqlite3.Connection, patient_id: int, kinds: tuple[str, ...], since: int
) -> OwnedAlert | None:
    marks = ", ".join("?" for _ in kinds)
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM alerts WHERE patient_id = ? AND kind IN ({marks})"
        " AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1",
        (patient_id, *kinds, since),
    ).fetchone()
    return None if row is None else _alert(row)


def notes_of(conn: sqlite3.Connection, patient_id: int, limit: int = 3) -> list[OwnedAlert]:
    """The patient's latest closed alerts that carry a note, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM alerts WHERE patient_id = ? AND note IS NOT NULL"
        " ORDER BY closed_at DESC, id DESC LIMIT ?",
        (patient_id, limit),
    ).fetchall()
    return [_alert(row) for row in rows]
