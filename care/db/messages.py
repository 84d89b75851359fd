"""The care-message schedule: the database *is* the schedule.

Every change of a message's state goes through `transition` (or a bulk statement that logs the
same way), which records the reason and the time in `message_events`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from care.core.clock import from_epoch
from care.core.models import CareMessage, MessageState
from care.core.reasons import Reason
from care.db import chats

_COLUMNS = (
    "id, appointment_id, patient_id, step, due_at, expires_at, state, reason, attempts,"
    " sent_at, answer, sent_for_start, comment, channel"
)


def _message(row: sqlite3.Row) -> CareMessage:
    return CareMessage(
        id=row["id"],
        appointment_id=row["appointment_id"],
        patient_id=row["patient_id"],
        step=row["step"],
        due_at=from_epoch(row["due_at"]),
        expires_at=from_epoch(row["expires_at"]),
        state=MessageState(row["state"]),
        reason=row["reason"],
        attempts=row["attempts"],
        sent_at=_maybe_time(row["sent_at"]),
        answer=row["answer"],
        sent_for_start=_maybe_time(row["sent_for_start"]),
        comment=row["comment"],
        channel=row["channel"],
    )


# A patient the sender may write to: active, with at least one chat that takes messages.
_REACHABLE = (
    "p.status = 'active' AND EXISTS (SELECT 1 FROM patient_chats c"
    " WHERE c.patient_id = p.id AND c.unreachable_at IS NULL)"
)

# The reason a message waits for the morning at send time (and its wording before reasons were
# codes); a patient who is awake gets it now.
_QUIET_HOURS_HOLDS = (Reason.QUIET_HOURS.value, "quiet hours")


def _maybe_time(seconds: int | None) -> datetime | None:
    return from_epoch(seconds) if seconds is not None else None


@dataclass(frozen=True)
class Route:
    """A channel (by name) and the patient's chat there."""

    channel: str
    chat_id: int


@dataclass(frozen=True)
class Claim:
    """A message taken for sending, with what is needed to write it and where it may go:
    `routes` are the patient's reachable chats, the preferred channel's first; `channel` is
    the channel of an earlier attempt whose outcome is unknown (a crash, a timeout), the only
    one the message may then take, so that it never reaches the patient on two channels."""

    message_id: int
    step: str
    attempts: int
    due_at: int
    expires_at: int
    chat_id: int
    patient_id: int
    language: str
    patient_name: str
    appointment_id: int
    starts_at: int
    session_number: int
    session_count: int
    in_time_by: int | None = None  # quiet hours never hold it past this
    routes: tuple[Route, ...] = ()
    channel: str | None = None


def add(
    conn: sqlite3.Connection,
    *,
    appointment_id: int,
    patient_id: int,
    step: str,
    due_at: int,
    expires_at: int,
    now: int,
    skip_reason: str | None = None,
    in_time_by: int | None = None,
    ready_at: int | None = None,
) -> int:
    """Plan one message; `ready_at` (when it would be due without quiet hours) defaults to
    `due_at`."""
    state = MessageState.SKIPPED if skip_reason else MessageState.PENDING
    ready = due_at if ready_at is None else ready_at
    cursor = conn.execute(
        "INSERT INTO care_messages (appointment_id, patient_id, step, due_at, expires_at,"
        " wake_at, state, reason, updated_at, in_time_by, ready_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            appointment_id,
            patient_id,
            step,
            due_at,
            expires_at,
            due_at,
            state,
            skip_reason,
            now,
            in_time_by,
            ready,
        ),
    )
    assert cursor.lastrowid is not None
    _log(conn, cursor.lastrowid, now, "new", state, skip_reason or Reason.PLANNED)
    return cursor.lastrowid


def get(conn: sqlite3.Connection, message_id: int) -> CareMessage | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM care_messages WHERE id = ?", (message_id,)
    ).fetchone()
    return _message(row) if row else None


def of_appointment(conn: sqlite3.Connection, appointment_id: int) -> list[CareMessage]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM care_messages WHERE appointment_id = ? ORDER BY due_at, id",
        (appointment_id,),
    ).fetchall()
    return [_message(row) for row in rows]


def transition(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    from_state: MessageState,
    to_state: MessageState,
    reason: str,
    now: int,
) -> bool:
    """Move one message between states; False (and nothing written) if it was not in
    `from_state` any more, e.g. staff cancelled it while it was being sent."""
    sent_at = now if to_state is MessageState.SENT else None
    cursor = conn.execute(
        "UPDATE care_messages SET state = ?, reason = ?, updated_at = ?,"
        " sent_at = COALESCE(?, sent_at) WHERE id = ? AND state = ?",
        (to_state, reason, now, sent_at, message_id, from_state),
    )
    if cursor.rowcount != 1:
        return False
    _log(conn, message_id, now, from_state, to_state, reason)
    return True


def record_sent(conn: sqlite3.Connection, message_id: int, telegram_id: int, now: int) -> bool:
    if not transition(
        conn,
        message_id,
        from_state=MessageState.SENDING,
        to_state=MessageState.SENT,
        reason=Reason.DELIVERED,
        now=now,
    ):
        return False
    conn.execute(
        "UPDATE care_messages SET telegram_message_id = ? WHERE id = ?", (telegram_id, message_id)
    )
    return True


def note_sent_for_start(conn: sqlite3.Connection, message_id: int, starts_at: int) -> None:
    """Remember which appointment start the delivered text described."""
    conn.execute(
        "UPDATE care_messages SET sent_for_start = ? WHERE id = ?", (starts_at, message_id)
    )


def record_answer(conn: sqlite3.Connection, message_id: int, answer: str, now: int) -> bool:
    """Store the patient's one-tap answer; False if the message already had one."""
    cursor = conn.execute(
        "UPDATE care_messages SET answer = ?, answered_at = ? WHERE id = ? AND answer IS NULL",
        (answer, now, message_id),
    )
    return cursor.rowcount == 1


def retry_later(
    conn: sqlite3.Connection, message_id: int, *, wake_at: int, reason: str, now: int
) -> bool:
    """Give a claimed message back to the schedule, to be tried again at `wake_at`."""
    if not transition(
        conn,
        message_id,
        from_state=MessageState.SENDING,
        to_state=MessageState.PENDING,
        reason=reason,
        now=now,
    ):
        return False
    conn.execute("UPDATE care_messages SET wake_at = ? WHERE id = ?", (wake_at, message_id))
    return True


def move(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    due_at: int,
    expires_at: int,
    in_time_by: int | None,
    ready_at: int,
    now: int,
) -> bool:
    """Give a pending message a new due time (the appointment moved or ended early)."""
    cursor = conn.execute(
        "UPDATE care_messages SET due_at = ?, wake_at = ?, expires_at = ?, in_time_by = ?,"
        " ready_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
        (due_at, due_at, expires_at, in_time_by, ready_at, now, message_id),
    )
    if cursor.rowcount == 1:
        _log(conn, message_id, now, "pending", "pending", Reason.RECOMPUTED)
    return cursor.rowcount == 1


def cancel_pending(
    conn: sqlite3.Connection,
    appointment_id: int,
    *,
    reason: str,
    now: int,
    steps: frozenset[str] | None = None,
) -> int:
    """Cancel the appointment's pending messages (only those of `steps`, if given); how many."""
    cancelled = 0
    for message in of_appointment(conn, appointment_id):
        if message.state is not MessageState.PENDING:
            continue
        if steps is not None and message.step not in steps:
            continue
        cancelled += transition(
            conn,
            message.id,
            from_state=MessageState.PENDING,
            to_state=MessageState.CANCELLED,
            reason=reason,
            now=now,
        )
    return cancelled


def _urgency(table: str) -> str:
    """The claim order: what must arrive before something (it has an `in_time_by`: pre-care,
    day-of) before everything else, the earliest in-time line first; the rest in due order.
    In a backlog of thousands (a chain's morning follow-ups, a week's outage) this keeps
    tomorrow's pre-care ahead of the six-month follow-ups; without one, it changes nothing.
    `table`: the columns' qualifier ("m." or "")."""
    return f"{table}in_time_by IS NULL, {table}in_time_by, {table}due_at, {table}id"


def claim_due(conn: sqlite3.Connection, now: int, limit: int) -> list[Claim]:
    """Take up to `limit` due messages of reachable patients, most urgent first (`_urgency`),
    for sending; at most one per patient, their most urgent, and none for a patient who has
    a message in flight ('sending'), so a batch never waits on one chat's pace and one chat
    never has two sends at once.

    Run inside a transaction: the claimed rows are in state 'sending' when it commits, so no
    second sender can take them. Claiming is not an attempt: `note_attempt` counts the sends
    that actually reach Telegram.
    """
    rows = conn.execute(
        "SELECT m.id, m.step, m.attempts, m.due_at, m.expires_at, m.in_time_by, m.channel,"
        " p.id AS patient_id, p.language, p.full_name,"
        " a.id AS appointment_id, a.starts_at, a.session_number, a.session_count"
        " FROM (SELECT id, step, attempts, due_at, expires_at, in_time_by, patient_id,"
        "   appointment_id, channel,"
        f"   ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY {_urgency('')}) AS turn"
        "   FROM care_messages WHERE state = 'pending' AND wake_at <= ?) m"
        " JOIN patients p ON p.id = m.patient_id"
        " JOIN appointments a ON a.id = m.appointment_id"
        f" WHERE m.turn = 1 AND {_REACHABLE}"
        "   AND m.patient_id NOT IN"
        "   (SELECT patient_id FROM care_messages WHERE state = 'sending')"
        f" ORDER BY {_urgency('m.')} LIMIT ?",
        (now, limit),
    ).fetchall()
    claims = []
    for row in rows:
        routes = tuple(
            Route(chat.channel, chat.chat_id)
            for chat in chats.of_patient(conn, row["patient_id"])
            if not chat.unreachable
        )
        claim = Claim(
            message_id=row["id"],
            step=row["step"],
            attempts=row["attempts"] + 1,
            due_at=row["due_at"],
            expires_at=row["expires_at"],
            chat_id=routes[0].chat_id,
            patient_id=row["patient_id"],
            language=row["language"],
            patient_name=row["full_name"],
            appointment_id=row["appointment_id"],
            starts_at=row["starts_at"],
            session_number=row["session_number"],
            session_count=row["session_count"],
            in_time_by=row["in_time_by"],
            routes=routes,
            channel=row["channel"],
        )
        claims.append(claim)
        conn.execute(
            "UPDATE care_messages SET state = 'sending', updated_at = ? WHERE id = ?",
            (now, claim.message_id),
        )
        _log(conn, claim.message_id, now, "pending", "sending", Reason.CLAIMED)
    return claims


def pin_channel(conn: sqlite3.Connection, message_id: int, channel: str | None) -> None:
    """Record the channel a send is about to go by (None: the last one certainly did not
    deliver, so any channel may carry the next try)."""
    conn.execute("UPDATE care_messages SET channel = ? WHERE id = ?", (channel, message_id))


def note_attempt(conn: sqlite3.Connection, message_id: int) -> None:
    """Count one send that reached Telegram (a rate-limit refusal or a deferral is not one)."""
    conn.execute("UPDATE care_messages SET attempts = attempts + 1 WHERE id = ?", (message_id,))


def next_wake(conn: sqlite3.Connection) -> int | None:
    """When the earliest message of a reachable patient falls due, if any."""
    row = conn.execute(
        "SELECT m.wake_at FROM care_messages m JOIN patients p ON p.id = m.patient_id"
        f" WHERE m.state = 'pending' AND {_REACHABLE}"
        " ORDER BY m.wake_at LIMIT 1"
    ).fetchone()
    return int(row["wake_at"]) if row else None


def skip_expired(conn: sqlite3.Connection, now: int) -> int:
    """Skip every pending message that is no longer useful; never send it late."""
    return _move_all(
        conn,
        "expires_at <= ?",
        (now,),
        from_state=MessageState.PENDING,
        to_state=MessageState.SKIPPED,
        reason=Reason.EXPIRED,
        now=now,
    )


def wake_for_awake_patient(conn: sqlite3.Connection, patient_id: int, now: int) -> int:
    """The patient is awake: their pending messages that were only waiting for quiet hours to
    end (held by the sender, or planned for the morning although ready) are due now."""
    condition = (
        "patient_id = ? AND wake_at > ? AND ready_at <= ?"
        " AND (reason IN (?, ?) OR wake_at = due_at)"
    )
    values = (patient_id, now, now, *_QUIET_HOURS_HOLDS)
    conn.execute(
        "INSERT INTO message_events (message_id, at, from_state, to_state, reason)"
        f" SELECT id, ?, 'pending', 'pending', ? FROM care_messages"
        f" WHERE state = 'pending' AND {condition}",
        (now, Reason.AWAKE.value, *values),
    )
    cursor = conn.execute(
        f"UPDATE care_messages SET wake_at = ?, updated_at = ? WHERE state = 'pending'"
        f" AND {condition}",
        (now, now, *values),
    )
    return cursor.rowcount


def release_interrupted(conn: sqlite3.Connection, now: int) -> int:
    """Messages left 'sending' by a crash go back to pending.

    Their outcome is unknown: Telegram may or may not have delivered them. We send again
    rather than risk losing a care instruction. The sender has at most its window's W sends
    in flight and records each answer as it comes, so at most W of them had really gone out:
    a crash costs at most W duplicates, and never a lost message.
    """
    return _move_all(
        conn,
        "1 = 1",
        (),
        from_state=MessageState.SENDING,
        to_state=MessageState.PENDING,
        reason=Reason.INTERRUPTED,
        now=now,
    )


def cancel_pending_of_patient(
    conn: sqlite3.Connection, patient_id: int, *, reason: str, now: int
) -> int:
    return _move_all(
        conn,
        "patient_id = ?",
        (patient_id,),
        from_state=MessageState.PENDING,
        to_state=MessageState.CANCELLED,
        reason=reason,
        now=now,
    )


def _move_all(
    conn: sqlite3.Connection,
    condition: str,
    values: tuple[int, ...],
    *,
    from_state: MessageState,
    to_state: MessageState,
    reason: str,
    now: int,
) -> int:
    """Move every message in `from_state` that meets `condition` (fixed SQL, values bound)
    to `to_state`, logging each move; return how many moved."""
    conn.execute(
        "INSERT INTO message_events (message_id, at, from_state, to_state, reason)"
        f" SELECT id, ?, ?, ?, ? FROM care_messages WHERE state = ? AND {condition}",
        (now, from_state, to_state, reason, from_state, *values),
    )
    cursor = conn.execute(
        "UPDATE care_messages SET state = ?, reason = ?, updated_at = ?"
        f" WHERE state = ? AND {condition}",
        (to_state, reason, now, from_state, *values),
    )
    return cursor.rowcount


def _log(
    conn: sqlite3.Connection,
    message_id: int,
    now: int,
    from_state: str,
    to_state: str,
    reason: str,
) -> None:
    conn.execute(
        "INSERT INTO message_events (message_id, at, from_state, to_state, reason)"
        " VALUES (?, ?, ?, ?, ?)",
        (message_id, now, from_state, to_state, reason),
    )


def awaiting_comment(
    conn: sqlite3.Connection, patient_id: int, steps: frozenset[str], since: int
) -> int | None:
    """The patient's latest message of one of `steps` answered at or after `since` and not
    yet commented on; its id."""
    if not steps:
        return None
    marks = ", ".join("?" for _ in steps)
    row = conn.execute(
        "SELECT id FROM care_messages WHERE patient_id = ? AND answered_at >= ?"
        f" AND comment IS NULL AND step IN ({marks}) ORDER BY answered_at DESC, id DESC LIMIT 1",
        (patient_id, since, *sorted(steps)),
    ).fetchone()
    return row["id"] if row else None


def set_comment(conn: sqlite3.Connection, message_id: int, comment: str) -> None:
    conn.execute("UPDATE care_messages SET comment = ? WHERE id = ?", (comment, message_id))
