"""The SQL of merging one patient record into another (care/people/merge.py decides what and
when). Every function runs inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# Every table whose rows belong to a patient and simply change hands. patient_chats (one chat
# per channel) and the patient row itself need more care: see `move_chats` and `delete`.
_OWNED = ("appointments", "care_messages", "invites", "alerts", "relayed", "reschedule_requests")
# How the audit trail records a merge on the record that went: "into patient:<survivor>".
MERGE_ACTION = "merge_patient"
INTO_PREFIX = "into patient:"


@dataclass(frozen=True)
class ChatActivity:
    """One linked chat and when the patient was last active in it: the later of when they
    linked it and their last answer to a care message that went by it."""

    patient_id: int
    channel: str
    chat_id: int
    reachable: bool
    active_at: int


def chat_activity(conn: sqlite3.Connection, patient_ids: tuple[int, int]) -> list[ChatActivity]:
    rows = conn.execute(
        "SELECT c.patient_id, c.channel, c.chat_id, c.unreachable_at IS NULL AS reachable,"
        " max(c.linked_at, coalesce((SELECT max(m.answered_at) FROM care_messages m"
        "  WHERE m.patient_id = c.patient_id AND m.channel = c.channel), 0)) AS active_at"
        " FROM patient_chats c WHERE c.patient_id IN (?, ?) ORDER BY c.channel, c.patient_id",
        patient_ids,
    ).fetchall()
    return [
        ChatActivity(
            row["patient_id"],
            row["channel"],
            row["chat_id"],
            bool(row["reachable"]),
            row["active_at"],
        )
        for row in rows
    ]


def counts(conn: sqlite3.Connection, patient_id: int) -> dict[str, int]:
    """How many rows of each owned table are the patient's."""
    return {
        table: int(
            conn.execute(
                f"SELECT count(*) FROM {table} WHERE patient_id = ?", (patient_id,)
            ).fetchone()[0]
        )
        for table in _OWNED
    }


def move_owned(conn: sqlite3.Connection, source: int, target: int) -> None:
    """Appointments, care messages (answers and satisfaction comments with them), invites,
    alerts, relayed messages and reschedule requests of `source` become `target`'s."""
    for table in _OWNED:
        conn.execute(f"UPDATE {table} SET patient_id = ? WHERE patient_id = ?", (target, source))


def shift_courses(conn: sqlite3.Connection, patient_id: int, order: list[tuple[int, int]]) -> None:
    """Number the patient's courses again: `order` lists (appointment id, new course)."""
    conn.executemany(
        "UPDATE appointments SET course = ? WHERE id = ? AND patient_id = ?",
        [(course, appointment_id, patient_id) for appointment_id, course in order],
    )


def drop_chat(conn: sqlite3.Connection, patient_id: int, channel: str) -> None:
    conn.execute(
        "DELETE FROM patient_chats WHERE patient_id = ? AND channel = ?", (patient_id, channel)
    )


def move_chats(conn: sqlite3.Connection, source: int, target: int) -> None:
    """The source's remaining chats (on channels the target has none) become the target's."""
    conn.execute("UPDATE patients SET chat_id = NULL WHERE id = ?", (source,))
    conn.execute("UPDATE patient_chats SET patient_id = ? WHERE patient_id = ?", (target, source))


def settle_patient(conn: sqlite3.Connection, target: int, source: int) -> None:
    """After the chats moved: the target's Telegram chat column, preferred channel (theirs if
    still linked there, else the source's, else any linked), a phone it lacked, and whether it
    may be reached at all (every chat refused delivery: unreachable; none refused: active)."""
    conn.execute(
        "UPDATE patients SET"
        " chat_id = (SELECT chat_id FROM patient_chats WHERE patient_id = ? AND channel = ?),"
        " phone = coalesce(phone, (SELECT phone FROM patients WHERE id = ?)),"
        " preferred_channel = coalesce("
        "  (SELECT c.channel FROM patient_chats c WHERE c.patient_id = ?"
        "   AND c.channel = patients.preferred_channel),"
        "  (SELECT c.channel FROM patient_chats c WHERE c.patient_id = ? AND c.channel ="
        "   (SELECT preferred_channel FROM patients WHERE id = ?)),"
        "  (SELECT channel FROM patient_chats WHERE patient_id = ? ORDER BY linked_at LIMIT 1))"
        " WHERE id = ?",
        (target, "telegram", source, target, target, source, target, target),
    )


def merged_into(conn: sqlite3.Connection, patient_id: int) -> int | None:
    """The record `patient_id` was merged into, from the audit trail, if it was."""
    row = conn.execute(
        "SELECT detail FROM audit WHERE action = ? AND subject = ? ORDER BY id DESC LIMIT 1",
        (MERGE_ACTION, f"patient:{patient_id}"),
    ).fetchone()
    detail = str(row["detail"] or "") if row is not None else ""
    prefix = INTO_PREFIX
    return int(detail[len(prefix) :]) if detail.startswith(prefix) else None


def delete(conn: sqlite3.Connection, patient_id: int) -> None:
    """The emptied record goes (the foreign keys refuse if anything still points at it)."""
    conn.execute("DELETE FROM patients WHERE id = ?", (patient_id,))
