"""A patient who has just linked or written to the bot is awake: quiet hours, which are there
so that nobody is woken, do not hold their messages for a while."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.clock import to_epoch
from care.db import messages, patients
from care.db.connection import transaction

# How long after their last message a patient counts as awake. Long enough for the messages
# released at that moment to go out under the pace (a few seconds each), short enough that
# a patient who wrote at 22:05 is not woken at midnight.
AWAKE_FOR = timedelta(minutes=30)


def is_awake(last_seen_at: int | None, now: datetime) -> bool:
    return last_seen_at is not None and to_epoch(now) - last_seen_at < AWAKE_FOR.total_seconds()


def note_awake(conn: sqlite3.Connection, patient_id: int, now: datetime) -> int:
    """Record that the patient is awake and make what only waited for the morning due now;
    how many messages that freed. Run inside the caller's transaction."""
    patients.note_seen(conn, patient_id, to_epoch(now))
    return messages.wake_for_awake_patient(conn, patient_id, to_epoch(now))


def seen_in_chat(conn: sqlite3.Connection, chat_id: int, now: datetime) -> int:
    """A private message or tap from `chat_id`: if it is a patient's, they are awake. How
    many of their messages that freed (0 for anyone else)."""
    patient = patients.by_chat(conn, chat_id)  # read first: staff and strangers write nothing
    if patient is None:
        return 0
    with transaction(conn):
        return note_awake(conn, patient.id, now)
