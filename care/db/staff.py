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
        " ORDER BY added_at, channel, user_id"
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
    """Add (or bring back) a staff member of `channel`. The same number on another channel is
    another person (each messenger numbers its own users)."""
    conn.execute(
        "INSERT INTO staff (channel, user_id, display_name, added_by, added_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(channel, user_id) DO UPDATE SET display_name = excluded.display_name,"
        " added_by = excluded.added_by, added_at = excluded.added_at, removed_at = NULL",
        (channel, user_id, display_name, added_by, now),
    )


def remove(conn: sqlite3.Connection, user_id: int, now: int, channel: str = TELEGRAM) -> bool:
    cursor = conn.execute(
        "UPDATE staff SET removed_at = ? WHERE channel = ? AND user_id = ? AND removed_at IS NULL",
        (now, channel, user_id),
    )
    return cursor.rowcount == 1


def language_of(conn: sqlite3.Connection, user_id: int, channel: str) -> str | None:
    """The language a staff member (or admin) of `channel` chose with /language; None if they
    never chose."""
    row = conn.execute(
        "SELECT language FROM staff_languages WHERE channel = ? AND user_id = ?",
        (channel, user_id),
    ).fetchone()
    return None if row is None else str(row["language"])


def choose_language(
    conn: sqlite3.Connection, user_id: int, channel: str, language: str, now: int
) -> None:
    conn.execute(
        "INSERT INTO staff_languages (channel, user_id, language, chosen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(channel, user_id) DO UPDATE SET language = excluded.language,"
        " chosen_at = excluded.chosen_at",
        (channel, user_id, language, now),
    )
