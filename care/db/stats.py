"""The records behind the clinic's figures for a span of time (care.desk.stats).

Each activity is counted by one moment of its own, so it falls in exactly one span: a session
by its start, a care message sent by when it was sent, a failed one by when it failed (its last
update), pre-care and its acknowledgement by when the pre-care was sent, an alert by when it
was raised, a satisfaction score by when it was given. Spans are [start, end) in epoch seconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class SpanCounts:
    sessions_done: int
    no_shows: int
    messages_sent: int
    messages_failed: int
    pre_care_sent: int
    pre_care_acknowledged: int


@dataclass(frozen=True)
class RaisedAlert:
    kind: str
    created_at: int
    taken_at: int | None


@dataclass(frozen=True)
class GivenAnswer:
    answer: str
    commented: bool


def counts(
    conn: sqlite3.Connection, start: int, end: int, *, pre_care_step: str, acknowledged: str
) -> SpanCounts:
    """The span's sessions, deliveries and pre-care (`pre_care_step` messages sent in the span,
    and how many of those were answered `acknowledged`)."""
    sessions = dict(
        conn.execute(
            "SELECT status, count(*) FROM appointments WHERE starts_at >= ? AND starts_at < ?"
            " AND status IN ('done', 'no_show') GROUP BY status",
            (start, end),
        ).fetchall()
    )
    sent, pre_care, acked = conn.execute(
        "SELECT count(*), coalesce(sum(step = ?), 0), coalesce(sum(step = ? AND answer = ?), 0)"
        " FROM care_messages WHERE sent_at >= ? AND sent_at < ?",
        (pre_care_step, pre_care_step, acknowledged, start, end),
    ).fetchone()
    (failed,) = conn.execute(
        "SELECT count(*) FROM care_messages WHERE state = 'failed'"
        " AND updated_at >= ? AND updated_at < ?",
        (start, end),
    ).fetchone()
    return SpanCounts(
        sessions_done=int(sessions.get("done", 0)),
        no_shows=int(sessions.get("no_show", 0)),
        messages_sent=int(sent),
        messages_failed=int(failed),
        pre_care_sent=int(pre_care),
        pre_care_acknowledged=int(acked),
    )


def alerts_raised(conn: sqlite3.Connection, start: int, end: int) -> list[RaisedAlert]:
    """Every alert raised in the span, whether or not it reached staff, oldest first."""
    rows = conn.execute(
        "SELECT kind, created_at, taken_at FROM alerts WHERE created_at >= ? AND created_at < ?"
        " ORDER BY created_at, id",
        (start, end),
    ).fetchall()
    return [RaisedAlert(row["kind"], row["created_at"], row["taken_at"]) for row in rows]


def answers_given(
    conn: sqlite3.Connection, start: int, end: int, answers: tuple[str, ...]
) -> list[GivenAnswer]:
    """The answers among `answers` given in the span, and whether a comment came with each."""
    marks = ", ".join("?" for _ in answers)
    rows = conn.execute(
        f"SELECT answer, comment IS NOT NULL AS commented FROM care_messages"
        f" WHERE answer IN ({marks}) AND answered_at >= ? AND answered_at < ?"
        " ORDER BY answered_at, id",
        (*answers, start, end),
    ).fetchall()
    return [GivenAnswer(row["answer"], bool(row["commented"])) for row in rows]
