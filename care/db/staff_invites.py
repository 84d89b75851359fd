"""One-time staff invites: only a hash of each token is stored, like patient invites."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffInviteRow:
    id: int
    created_by: str
    expires_at: int
    used_at: int | None


def add(
    conn: sqlite3.Connection, *, token_hash: str, created_by: str, now: int, expires_at: int
) -> int:
    cursor = conn.execute(
        "INSERT INTO staff_invites (token_hash, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?)",
        (token_hash, created_by, now, expires_at),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def by_hash(conn: sqlite3.Connection, token_hash: str) -> StaffInviteRow | None:
    row = conn.execute(
        "SELECT id, created_by, expires_at, used_at FROM staff_invites WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    return StaffInviteRow(row["id"], row["created_by"], row["expires_at"], row["used_at"])


def use(conn: sqlite3.Connection, invite_id: int, *, user_id: int, now: int) -> bool:
    """Spend the invite; False if it was spent already."""
    cursor = conn.execute(
        "UPDATE staff_invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (now, user_id, invite_id),
    )
    return cursor.rowcount == 1
