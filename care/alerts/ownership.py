"""Every alert has an owner: the first staff member to take it; only they (or an admin) close
it, with an optional note for the patient's card. Each change is audited by id."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.clock import to_epoch
from care.db import alert_owners, audit
from care.db.alert_owners import OwnedAlert
from care.db.connection import transaction

NOTE_LIMIT = 500


class Outcome(StrEnum):
    DONE = "done"
    TAKEN_BY_OTHER = "taken_by_other"  # someone else has it
    CLOSED = "closed"  # closed already
    MISSING = "missing"  # no such alert (erased with the patient's data)
    NOT_TAKEN = "not_taken"  # closing one nobody has taken


@dataclass(frozen=True)
class Change:
    outcome: Outcome
    alert: OwnedAlert | None


def take(
    conn: sqlite3.Connection,
    alert_id: int,
    *,
    user_id: int,
    channel: str,
    name: str,
    now: datetime,
) -> Change:
    """`user_id` of `channel` takes the alert, if nobody has it yet."""
    at = to_epoch(now)
    with transaction(conn):
        if alert_owners.take(conn, alert_id, user_id, name, at, channel=channel):
            _audit(conn, at, f"{channel}:{user_id}", "take_alert", alert_id)
            return Change(Outcome.DONE, alert_owners.get(conn, alert_id))
        return _refusal(conn, alert_id, user_id)


def close(
    conn: sqlite3.Connection,
    alert_id: int,
    *,
    user_id: int,
    channel: str,
    admin: bool,
    now: datetime,
) -> Change:
    """Its owner (the same id on the same messenger) or an admin closes it."""
    at = to_epoch(now)
    with transaction(conn):
        alert = alert_owners.get(conn, alert_id)
        if alert is None:
            return Change(Outcome.MISSING, None)
        if alert.closed_at is not None:
            return Change(Outcome.CLOSED, alert)
        if alert.owner_id is None:
            return Change(Outcome.NOT_TAKEN, alert)
        if not alert.owned_by(user_id, channel) and not admin:
            return Change(Outcome.TAKEN_BY_OTHER, alert)
        alert_owners.close(conn, alert_id, at)
        _audit(conn, at, f"{channel}:{user_id}", "close_alert", alert_id)
        return Change(Outcome.DONE, alert_owners.get(conn, alert_id))


def add_note(
    conn: sqlite3.Connection,
    alert_id: int,
    *,
    user_id: int,
    channel: str,
    note: str,
    now: datetime,
) -> bool:
    """The closer's note, once, on a closed alert; it shows on the patient's card."""
    text = note.strip()[:NOTE_LIMIT]
    with transaction(conn):
        alert = alert_owners.get(conn, alert_id)
        if alert is None or not alert.owned_by(user_id, channel) or not text:
            return False
        if not alert_owners.set_note(conn, alert_id, text):
            return False
        _audit(conn, to_epoch(now), f"{channel}:{user_id}", "note_alert", alert_id)
        return True


def _refusal(conn: sqlite3.Connection, alert_id: int, user_id: int) -> Change:
    alert = alert_owners.get(conn, alert_id)
    if alert is None:
        return Change(Outcome.MISSING, None)
    if alert.closed_at is not None:
        return Change(Outcome.CLOSED, alert)
    return Change(Outcome.TAKEN_BY_OTHER, alert)


def _audit(conn: sqlite3.Connection, at: int, actor: str, action: str, alert_id: int) -> None:
    audit.record(conn, at=at, actor=actor, action=action, subject=f"alert:{alert_id}")
