"""Filling a database with a planned schedule, fast: the real schema, bulk inserts.

Enrolling a million messages one by one through `care.enrolment` would take hours, so the
benchmark writes the same rows directly (patients linked to a chat, their sessions, each
message with its `new` event) with `executemany` inside one transaction. The rows keep the
shape `care.enrolment` gives them: a message belongs to an appointment of its patient, it is
`pending` with `wake_at = due_at`, and its history starts with a `new -> pending` event.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from care.db.connection import connect, transaction

CHAT_BASE = 10_000_000
"""Patient number n (from 0) is linked to the private chat CHAT_BASE + n."""

HOUR = 3600
DAY = 24 * HOUR
SESSION_SECONDS = HOUR
SESSION_STEPS: tuple[tuple[str, int, int], ...] = (
    # step, due relative to the session's start, lifetime after due (the default protocol)
    ("pre_care", -26 * HOUR, 26 * HOUR),
    ("day_of", -3 * HOUR, 3 * HOUR),
    ("post_care", SESSION_SECONDS, DAY),
    ("wash_ok", SESSION_SECONDS + DAY, DAY),
    ("check_in", SESSION_SECONDS + 3 * DAY, 2 * DAY),
)
_CHUNK = 50_000


@dataclass(frozen=True)
class Planned:
    """One pending care message: whose, for which session, when due, until when useful."""

    patient: int  # patient number, from 0
    starts_at: int  # the session it belongs to (epoch seconds)
    step: str
    due_at: int
    expires_at: int


def chat_of(patient: int) -> int:
    return CHAT_BASE + patient


def seed(path: Path, *, patients: int, planned: Iterable[Planned], now: int) -> int:
    """Create the database at `path` (real schema, via `connect`) holding `patients` linked
    patients and the `planned` messages, grouped by session; return how many were written."""
    conn = connect(path)
    try:
        with transaction(conn):
            conn.executemany(
                "INSERT INTO patients (id, full_name, name_key, language, chat_id, created_at,"
                " preferred_channel) VALUES (?, ?, ?, ?, ?, ?, 'telegram')",
                (
                    (n + 1, f"Patient {n}", f"patient {n}", ("fa", "en")[n % 2], chat_of(n), now)
                    for n in range(patients)
                ),
            )
            conn.executemany(  # a patient's chats live in patient_chats (migration 7)
                "INSERT INTO patient_chats (patient_id, channel, chat_id, linked_at)"
                " VALUES (?, 'telegram', ?, ?)",
                ((n + 1, chat_of(n), now) for n in range(patients)),
            )
            written = _insert_messages(conn, planned, now)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return written


def _insert_messages(conn: sqlite3.Connection, planned: Iterable[Planned], now: int) -> int:
    written = 0
    appointment_id = 0
    session: tuple[int, int] | None = None
    for chunk in _chunks(iter(planned)):
        appointments, messages, events = [], [], []
        for message in chunk:
            if (message.patient, message.starts_at) != session:
                session = (message.patient, message.starts_at)
                appointment_id += 1
                ends_at = message.starts_at + SESSION_SECONDS
                appointments.append(
                    (appointment_id, message.patient + 1, message.starts_at, ends_at, now)
                )
            written += 1
            messages.append(
                (
                    written,
                    appointment_id,
                    message.patient + 1,
                    message.step,
                    message.due_at,
                    message.expires_at,
                    message.due_at,
                    now,
                )
            )
            events.append((written, now))
        conn.executemany(
            "INSERT INTO appointments (id, patient_id, starts_at, ends_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            appointments,
        )
        conn.executemany(
            "INSERT INTO care_messages (id, appointment_id, patient_id, step, due_at,"
            " expires_at, wake_at, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            messages,
        )
        conn.executemany(
            "INSERT INTO message_events (message_id, at, from_state, to_state, reason)"
            " VALUES (?, ?, 'new', 'pending', 'planned')",
            events,
        )
    return written


def _chunks(rows: Iterator[Planned]) -> Iterator[list[Planned]]:
    while chunk := list(itertools.islice(rows, _CHUNK)):
        yield chunk


def courses(
    *, patients: int, messages: int, first_start: int, spread_days: int
) -> Iterator[Planned]:
    """`messages` pending messages for `patients` patients in the future: each patient has
    sessions two weeks apart, each session the five steps of the default protocol, the first
    sessions spread over `spread_days` days from `first_start` (at least a day ahead, so
    nothing is due yet)."""
    per_patient, extra = divmod(messages, patients)
    for patient in range(patients):
        count = per_patient + (1 if patient < extra else 0)
        offset = (patient * 7919 % max(patients, 1)) * spread_days * DAY // max(patients, 1)
        first = first_start + offset
        first -= first % 900  # sessions start on the quarter hour
        for index in range(count):
            session, step_index = divmod(index, len(SESSION_STEPS))
            step, due_offset, lifetime = SESSION_STEPS[step_index]
            starts_at = first + session * 14 * DAY
            due_at = starts_at + due_offset
            yield Planned(patient, starts_at, step, due_at, due_at + lifetime)
