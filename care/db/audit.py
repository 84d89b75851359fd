"""The audit trail: who did what, when. Ids only, never a patient's name or words."""

from __future__ import annotations

import sqlite3


def record(
    conn: sqlite3.Connection,
    *,
    at: int,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (at, actor, action, subject, detail),
    )


def actions(conn: sqlite3.Connection, subject: str) -> list[str]:
    rows = conn.execute(
        "SELECT action FROM audit WHERE subject = ? ORDER BY id", (subject,)
    ).fetchall()
    return [row["action"] for row in rows]
