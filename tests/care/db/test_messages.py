"""The care-message schedule: claims, transitions and the next wake-up."""

from __future__ import annotations

import sqlite3

from care.core.models import MessageState
from care.core.reasons import Reason
from care.db import appointments, messages, patients
from care.db.connection import transaction


def _patient(conn: sqlite3.Connection, chat_id: int | None) -> int:
    patient_id = patients.add(conn, full_name="P", name_key="p", language="en", phone=None, now=0)
    if chat_id is not None:
        patients.link_chat(conn, patient_id, chat_id, 0)
    return patient_id


def _message(conn: sqlite3.Connection, patient_id: int, due: int, expires: int = 10_000) -> int:
    appointment_id = appointments.add(
        conn,
        patient_id=patient_id,
        starts_at=5_000,
        ends_at=8_600,
        session_number=1,
        session_count=1,
        area=None,
        now=0,
    )
    return messages.add(
        conn,
        appointment_id=appointment_id,
        patient_id=patient_id,
        step="pre_care",
        due_at=due,
        expires_at=expires,
        now=0,
    )


def test_claims_take_due_messages_of_linked_patients_oldest_first_one_per_patient(
    conn: sqlite3.Connection,
) -> None:
    """One at a time per patient: their next message is not claimed while one is in flight."""
    linked = _patient(conn, chat_id=11)
    unlinked = _patient(conn, chat_id=None)
    later = _message(conn, linked, due=200)
    first = _message(conn, linked, due=100)
    _message(conn, unlinked, due=50)
    _message(conn, linked, due=900)  # not yet due
    with transaction(conn):
        claims = messages.claim_due(conn, now=300, limit=10)
    assert [c.message_id for c in claims] == [first]  # a batch holds one per patient
    assert claims[0].chat_id == 11
    with transaction(conn):
        assert messages.claim_due(conn, now=300, limit=10) == []  # the first is in flight
        assert messages.record_sent(conn, first, telegram_id=1, now=301)
    with transaction(conn):
        assert [c.message_id for c in messages.claim_due(conn, now=300, limit=10)] == [later]
    with transaction(conn):
        assert messages.claim_due(conn, now=300, limit=10) == []  # claimed ones are taken
    stored = messages.get(conn, later)
    assert stored is not None and stored.state is MessageState.SENDING


def test_next_wake_ignores_patients_who_cannot_receive(conn: sqlite3.Connection) -> None:
    assert messages.next_wake(conn) is None
    _message(conn, _patient(conn, chat_id=None), due=10)
    assert messages.next_wake(conn) is None
    _message(conn, _patient(conn, chat_id=12), due=40)
    assert messages.next_wake(conn) == 40


def test_a_transition_from_the_wrong_state_changes_nothing(conn: sqlite3.Connection) -> None:
    message_id = _message(conn, _patient(conn, chat_id=13), due=10)
    moved = messages.transition(
        conn,
        message_id,
        from_state=MessageState.SENDING,
        to_state=MessageState.SENT,
        reason="x",
        now=20,
    )
    assert moved is False
    stored = messages.get(conn, message_id)
    assert stored is not None and stored.state is MessageState.PENDING


def test_every_transition_is_logged_with_its_reason(conn: sqlite3.Connection) -> None:
    message_id = _message(conn, _patient(conn, chat_id=14), due=10)
    with transaction(conn):
        messages.claim_due(conn, now=20, limit=5)
    assert messages.record_sent(conn, message_id, telegram_id=77, now=21)
    events = conn.execute(
        "SELECT from_state, to_state, reason FROM message_events WHERE message_id = ? ORDER BY id",
        (message_id,),
    ).fetchall()
    assert [(e[0], e[1]) for e in events] == [
        ("new", "pending"),
        ("pending", "sending"),
        ("sending", "sent"),
    ]
    assert all(e[2] for e in events)


def test_expired_messages_are_skipped_with_a_reason(conn: sqlite3.Connection) -> None:
    patient_id = _patient(conn, chat_id=None)
    stale = _message(conn, patient_id, due=10, expires=100)
    fresh = _message(conn, patient_id, due=10, expires=1_000)
    assert messages.skip_expired(conn, now=500) == 1
    stale_row, fresh_row = messages.get(conn, stale), messages.get(conn, fresh)
    assert stale_row is not None and stale_row.state is MessageState.SKIPPED
    assert stale_row.reason == Reason.EXPIRED
    assert fresh_row is not None and fresh_row.state is MessageState.PENDING
