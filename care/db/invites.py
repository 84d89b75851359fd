"""Invite links: only a hash of each token is stored, so a copy of the database opens nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class InviteRow:
    id: int
    patient_id: int
    expires_at: int
    used_at: int | None
    revoked_at: int | None


def add(
    conn: sqlite3.Connection, *, patient_id: int, token_hash: str, now: int, expires_at: int
) -> None:
    """Store a new invite and void the patient's earlier unused ones."""
    conn.execute(
        "UPDATE invites SET revoked_at = ?"
        " WHERE patient_id = ? AND used_at IS NULL AND revoked_at IS NULL",
        (now, patient_id),
    )
    conn.execute(
        "INSERT INTO invites (patient_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (patient_id, token_hash, now, expires_at),
    )


def by_hash(conn: sqlite3.Connection, token_hash: str) -> InviteRow | None:
    row = conn.execute(
        "SELECT id, patient_id, expires_at, used_at, revoked_at FROM invites WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    return _invite(row) if row else None


def latest(conn: sqlite3.Connection, patient_id: int) -> InviteRow | None:
    """The patient's most recent invite, whatever became of it."""
    row = conn.execute(
        "SELECT id, patient_id, expires_at, used_at, revoked_at FROM invites"
        " WHERE patient_id = ? ORDER BY id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return _invite(row) if row else None


def _invite(row: sqlite3.Row) -> InviteRow:
    return InviteRow(
        id=row["id"],
        patient_id=row["patient_id"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        revoked_at=row["revoked_at"],
    )


def use(conn: sqlite3.Connection, invite_id: int, now: int) -> bool:
    """Spend the invite; False if someone spent it first."""
    cursor = conn.execute(
        "UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        (now, invite_id),
    )
    return cursor.rowcount == 1
