"""A patient who has just linked or written to the bot is awake: quiet hours, which are there
so that nobody is woken, do not hold their messages for a while.

Who is awake is kept in memory, not in the database: it matters for half an hour, a restart
forgetting it costs at most a wait for the morning, and a record of when each patient last
wrote would be one more piece of personal data to export and erase.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.db import messages, patients
from care.db.connection import transaction

# How long after their last message a patient counts as awake. Long enough for the messages
# released at that moment to go out under the pace (a few seconds each), short enough that
# a patient who wrote at 22:05 is not woken at midnight.
AWAKE_FOR = timedelta(minutes=30)


class AwakePatients:
    """When each patient last linked or wrote, for as long as that keeps them awake."""

    def __init__(self) -> None:
        self._seen: dict[int, datetime] = {}

    def seen(self, patient_id: int, now: datetime) -> None:
        self._seen = {p: at for p, at in self._seen.items() if now - at < AWAKE_FOR}
        self._seen[patient_id] = now

    def is_awake(self, patient_id: int, now: datetime) -> bool:
        at = self._seen.get(patient_id)
        return at is not None and timedelta(0) <= now - at < AWAKE_FOR


def patient_of_chat(conn: sqlite3.Connection, chat_id: int, channel: str = TELEGRAM) -> int | None:
    patient = patients.by_chat(conn, chat_id, channel)
    return patient.id if patient is not None else None


def release_for_awake(conn: sqlite3.Connection, patient_id: int, now: datetime) -> int:
    """What only waited for the morning is due now; how many messages that freed."""
    with transaction(conn):
        return messages.wake_for_awake_patient(conn, patient_id, to_epoch(now))
