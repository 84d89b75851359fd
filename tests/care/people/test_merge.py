"""Merging two records of one person: everything moves to the record kept in one
transaction, the other is gone, a chat clash keeps the chat the patient used last, and every
refusal changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from care.core.clock import to_epoch
from care.core.models import AlertKind, AppointmentStatus, MessageState, PatientStatus
from care.db import (
    alerts,
    appointments,
    audit,
    chats,
    messages,
    patients,
    relayed,
    reschedule_requests,
)
from care.people.invites import redeem_invite
from care.people.merge import Refusal, merge, propose
from care.schedule.plan import CarePlan
from jobs.channels.bale import BALE
from tests.factories import dump, enrolled, linked_patient

NOW = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
TELEGRAM = "telegram"


def _patient_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table with a column that holds a patient's id (a table added later that a merge
    forgets would fail here)."""
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not row[0].startswith("sqlite_")
    ]
    return [
        table
        for table in tables
        if any(column[1] == "patient_id" for column in conn.execute(f"PRAGMA table_info({table})"))
    ]


def _rows_of(conn: sqlite3.Connection, patient_id: int) -> dict[str, int]:
    return {
        table: conn.execute(
            f"SELECT count(*) FROM {table} WHERE patient_id = ?", (patient_id,)
        ).fetchone()[0]
        for table in _patient_tables(conn)
    }


def _full(conn: sqlite3.Connection, plan: CarePlan, **details: object) -> int:
    """A record with a bit of everything: a linked Telegram chat, an answer, an alert, a
    relayed message and a request for another time."""
    chat_id = int(str(details.pop("chat_id", 4001)))
    enrolment = linked_patient(conn, plan, NOW, chat_id=chat_id, **details)  # type: ignore[arg-type]
    patient_id = enrolment.patient_id
    (first, *_rest) = messages.of_appointment(conn, enrolment.appointment_ids[0])
    messages.record_answer(conn, first.id, "understood", to_epoch(NOW))
    alerts.raise_once(
        conn,
        kind=AlertKind.BOOK_ME,
        dedupe_key=f"test:{patient_id}",
        now=to_epoch(NOW),
        patient_id=patient_id,
    )
    relayed.add(conn, patient_id=patient_id, direction="in", kind="text", now=to_epoch(NOW))
    reschedule_requests.replace(
        conn,
        appointment_id=first.appointment_id,
        patient_id=patient_id,
        message_id=first.id,
        for_start=to_epoch(NOW),
        asked_at=to_epoch(NOW),
        choices=[(NOW.date(), "morning")],
    )
    return patient_id


def test_everything_moves_to_the_record_kept_and_the_other_is_gone(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    keep = _full(conn, plan, chat_id=4001, phone=None, starts_in=timedelta(days=40))
    other = _full(conn, plan, chat_id=4002, phone="0912 345 6789", sessions=2)
    before_keep, before_other = _rows_of(conn, keep), _rows_of(conn, other)
    assert set(_patient_tables(conn)) == {
        "appointments",
        "care_messages",
        "invites",
        "alerts",
        "relayed",
        "reschedule_requests",
        "patient_chats",
    }

    done = merge(conn, keep, other, plan=plan, actor="telegram:1001", now=NOW)

    assert done.patient is not None and done.patient.id == keep
    assert patients.get(conn, other) is None
    after = _rows_of(conn, keep)
    for table in ("appointments", "care_messages", "invites", "alerts", "relayed"):
        assert after[table] == before_keep[table] + before_other[table], table
    assert after["reschedule_requests"] == 2
    assert set(_rows_of(conn, other).values()) == {0}
    # The other's earlier course comes first; the kept record's later one second.
    booked = appointments.of_patient(conn, keep)
    assert [(a.course, a.session_number, a.session_count) for a in booked] == [
        (1, 1, 2),
        (1, 2, 2),
        (2, 1, 1),
    ]
    # One follow-up, on the last session of all.
    follow_ups = [
        m
        for a in booked
        for m in messages.of_appointment(conn, a.id)
        if m.step == "follow_up" and m.state is MessageState.PENDING
    ]
    assert [m.appointment_id for m in follow_ups] == [booked[-1].id]
    # Both chats were Telegram, linked at once and never answered by: the kept record's stays.
    assert [(c.channel, c.chat_id) for c in chats.of_patient(conn, keep)] == [(TELEGRAM, 4001)]
    assert done.patient.phone == "0912 345 6789"  # the phone it lacked
    assert patients.by_chat(conn, 4002) is None
    assert audit.actions(conn, f"patient:{other}")[-1] == "merge_patient"
    row = conn.execute(
        "SELECT actor, detail FROM audit WHERE subject = ? AND action = 'merge_patient'",
        (f"patient:{keep}",),
    ).fetchone()
    assert (row["actor"], row["detail"]) == (
        "telegram:1001",
        f"from patient:{other}; chats kept: telegram of patient:{keep}",
    )


def test_a_chat_clash_keeps_the_chat_used_last_and_other_channels_join(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    keep = linked_patient(conn, plan, NOW, chat_id=4001).patient_id
    later = NOW + timedelta(hours=1)
    other = enrolled(conn, plan, NOW, name="Sara A.")
    redeem_invite(conn, other.token, chat_id=4002, now=later)  # linked after: more recent
    redeem_invite(conn, other.token, chat_id=5_000_000_001, now=later, channel=BALE)

    proposal = propose(conn, keep, other.patient_id).proposal
    assert proposal is not None
    assert [(c.channel, c.kept_from) for c in proposal.clashes] == [(TELEGRAM, other.patient_id)]
    merge(conn, keep, other.patient_id, plan=plan, actor="telegram:1001", now=later)

    kept = {(c.channel, c.chat_id) for c in chats.of_patient(conn, keep)}
    assert kept == {(TELEGRAM, 4002), (BALE, 5_000_000_001)}
    merged = patients.get(conn, keep)
    assert merged is not None and merged.chat_id == 4002 and merged.channel == TELEGRAM
    assert patients.by_chat(conn, 4001) is None  # the dropped chat is nobody's now
    found = patients.by_chat(conn, 5_000_000_001, BALE)
    assert found is not None and found.id == keep


def test_a_reachable_chat_beats_a_more_recent_one_that_refused_delivery(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    keep = linked_patient(conn, plan, NOW, chat_id=4001).patient_id
    other = enrolled(conn, plan, NOW + timedelta(hours=1), name="Sara A.")
    redeem_invite(conn, other.token, chat_id=4002, now=NOW + timedelta(hours=1))
    chats.mark_unreachable(conn, other.patient_id, TELEGRAM, to_epoch(NOW + timedelta(hours=2)))
    merge(conn, keep, other.patient_id, plan=plan, actor="t", now=NOW + timedelta(hours=3))
    assert [c.chat_id for c in chats.of_patient(conn, keep)] == [4001]
    merged = patients.get(conn, keep)
    assert merged is not None and merged.status is PatientStatus.ACTIVE


def test_a_paused_record_stays_paused_once_merged(conn: sqlite3.Connection, plan: CarePlan) -> None:
    keep = linked_patient(conn, plan, NOW, chat_id=4001).patient_id
    other = linked_patient(conn, plan, NOW, chat_id=4002, name="Sara A.").patient_id
    patients.set_status(conn, other, PatientStatus.PAUSED)
    merged = merge(conn, keep, other, plan=plan, actor="t", now=NOW).patient
    assert merged is not None and merged.status is PatientStatus.PAUSED


@pytest.mark.parametrize(
    ("pair", "refusal"),
    [
        ("same", Refusal.SAME_RECORD),
        ("missing", Refusal.MISSING),
        ("erased", Refusal.ERASED),
        ("merged", Refusal.ALREADY_MERGED),
    ],
)
def test_refusals_change_nothing(
    conn: sqlite3.Connection, plan: CarePlan, pair: str, refusal: Refusal
) -> None:
    keep = linked_patient(conn, plan, NOW, chat_id=4001).patient_id
    other = linked_patient(conn, plan, NOW, chat_id=4002, name="Sara A.").patient_id
    gone = linked_patient(conn, plan, NOW, chat_id=4003, name="S. Ahmadi").patient_id
    merge(conn, keep, gone, plan=plan, actor="t", now=NOW)
    if pair == "erased":
        patients.set_status(conn, other, PatientStatus.ERASED)
    keep_id, other_id = {
        "same": (keep, keep),
        "missing": (keep, 999),
        "erased": (keep, other),
        "merged": (other, gone),
    }[pair]
    before = dump(conn)
    done = merge(conn, keep_id, other_id, plan=plan, actor="t", now=NOW)
    assert done.patient is None and done.check.refusal is refusal
    if refusal is Refusal.ALREADY_MERGED:
        assert (done.check.subject, done.check.merged_into) == (gone, keep)
    assert dump(conn) == before


def test_a_cancelled_session_moves_too_and_counts_in_no_course(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    keep = linked_patient(conn, plan, NOW, chat_id=4001).patient_id
    other = enrolled(conn, plan, NOW, name="Sara A.", starts_in=timedelta(days=9))
    appointments.set_status(conn, other.appointment_ids[0], AppointmentStatus.CANCELLED)
    merge(conn, keep, other.patient_id, plan=plan, actor="t", now=NOW)
    statuses = [a.status for a in appointments.of_patient(conn, keep)]
    assert statuses == [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED]
