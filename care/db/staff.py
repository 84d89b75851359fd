"""Staff members added by an admin (admins themselves come from the settings)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from care.core.channels import TELEGRAM


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    display_name: str
    channel: str = TELEGRAM  # where their user id is from: staff ids are per channel


def is_active(conn: sqlite3.Connection, user_id: int, channel: str = TELEGRAM) -> bool:
    row = conn.execute(
        "SELECT 1 FROM staff WHERE user_id = ? AND channel = ? AND removed_at IS NULL",
        (user_id, channel),
    ).fetchone()
    return row is not None


def active(conn: sqlite3.Connection) -> list[StaffMember]:
    rows = conn.execute(
        "SELECT user_id, display_name, channel FROM staff WHERE removed_at IS NULL"
        " ORDER BY added_at"
    ).fetchall()
    return [StaffMember(row["user_id"], row["display_name"], row["channel"]) for row in rows]


def add(
    conn: sqlite3.Connection,
    *,
    user_id: int,
    display_name: str,
    added_by: str,
    now: int,
    channel: str = TELEGRAM,
) -> None:
    """Add (or bring back) a staff member of `channel`. One numeric id is one person: the
    same number on the other channel takes the row over (ids of both are large and random
    enough that this is a mistake to notice, not a case to serve)."""
    conn.execute(
        "INSERT INTO staff (user_id, display_name, added_by, added_at, channel)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET display_name = excluded.display_name,"
        " added_by = excluded.added_by, added_at = excluded.added_at, removed_at = NULL,"
        " channel = excluded.channel",
        (user_id, display_name, added_by, now, channel),
    )


def remove(conn: sqlite3.Connection, user_id: int, now: int) -> bool:
    cursor = conn.execute(
        "UPDATE staff SET removed_at = ? WHERE user_id = ? AND removed_at IS NULL", (now, user_id)
    )
    return cursor.rowcount == 1


def language_of(conn: sqlite3.Connection, user_id: int) -> str | None:
    """The language a staff member chose with /language; None if they never chose."""
    row = conn.execute(
        "SELECT language FROM staff_languages WHERE user_id = ?", (user_id,)
    ).fetchone()
    return None if row is None else str(row["language"])


def choose_language(conn: sqlite3.Connection, user_id: int, language: str, now: int) -> None:
    conn.execute(
        "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET language = excluded.language,"
        " chosen_at = excluded.chosen_at",
        (user_id, language, now),
    )
