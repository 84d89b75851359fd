"""Where each alert was posted (channel, chat, message), so taking or closing it is shown on
every copy and a staff reply to one can be told apart; and what the desk and the relay read
of alerts."""

from __future__ import annotations

import sqlite3

from care.db import alert_owners
from care.db.alert_owners import OwnedAlert as OwnedAlert
from care.db.post import Post as Post


def record_post(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int, alert_id: int
) -> None:
    alert_owners.add_post(conn, channel, chat_id, message_id, alert_id)


def posts_of(conn: sqlite3.Connection, alert_id: int) -> list[Post]:
    return alert_owners.posts_of(conn, alert_id)


def alert_at(
    conn: sqlite3.Connection, channel: str, chat_id: int, message_id: int
) -> OwnedAlert | None:
    """The alert posted as this message on `channel`, if it is one."""
    return alert_owners.by_post(conn, channel, chat_id, message_id)


def open_alerts(conn: sqlite3.Connection, limit: int) -> list[OwnedAlert]:
    return alert_owners.open_alerts(conn, limit)


def count_open(conn: sqlite3.Connection) -> int:
    return alert_owners.count_open(conn)


def latest_for_patient(
    conn: sqlite3.Connection, patient_id: int, kinds: tuple[str, ...], since: int
) -> OwnedAlert | None:
    return alert_owners.latest_for_patient(conn, patient_id, kinds, since)


def closing_notes(conn: sqlite3.Connection, patient_id: int) -> list[OwnedAlert]:
    """The latest closed alerts of a patient that carry a note, for the card."""
    return alert_owners.notes_of(conn, patient_id)
