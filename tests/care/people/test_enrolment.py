"""Enrolment and invite redemption against a real SQLite database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from care.core.models import MessageState, PatientStatus
from care.db import audit, messages, patients
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import (
    InviteOutcome,
    LinkOutcome,
    issue_invite,
    redeem_invite,
    reissue_invite,
)
from care.people.tokens import token_hash
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock


def _book(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, **extra: int) -> Enrolment:
    booking = Booking(
        full_name="Sara Ahmadi",
        starts_at=clock.now() + timedelta(days=3),
        language="fa",
        session_count=extra.get("session_count", 1),
        interval_days=extra.get("interval_days", 14),
    )
    return enrol(conn, booking, plan=plan, actor="telegram:1", invite_days=14, now=clock.now())


def test_enrol_plans_every_step_of_the_protocol(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    planned = messages.of_appointment(conn, enrolment.appointment_ids[0])
    steps = {m.step for m in planned}
    assert {"pre_care", "post_care"} <= steps
    assert "follow_up" in steps  # a course of one session: the only session is the last
    assert all(m.state is MessageState.PENDING for m in planned)
    pre = next(m for m in planned if m.step == "pre_care")
    start = clock.now() + timedelta(days=3)
    assert start - pre.due_at >= timedelta(hours=24)


def test_token_is_stored_only_as_a_hash(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    stored = [row[0] for row in conn.execute("SELECT token_hash FROM invites")]
    assert stored == [token_hash(enrolment.token)]
    assert enrolment.token not in stored
    assert len(enrolment.token) >= 22  # at least 128 bits in URL-safe base64


def test_a_course_books_each_session_and_follow_up_only_after_the_last(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock, session_count=3, interval_days=14)
    assert len(enrolment.appointment_ids) == 3
    follow_ups = [
        a
        for a in enrolment.appointment_ids
        if any(m.step == "follow_up" for m in messages.of_appointment(conn, a))
    ]
    assert follow_ups == [enrolment.appointment_ids[-1]]


def test_invite_links_once_and_only_once(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    first = redeem_invite(conn, enrolment.token, chat_id=5001, now=clock.now())
    assert first.outcome is LinkOutcome.LINKED
    again = redeem_invite(conn, enrolment.token, chat_id=5001, now=clock.now())
    assert again.outcome is LinkOutcome.ALREADY_LINKED
    stranger = redeem_invite(conn, enrolment.token, chat_id=6002, now=clock.now())
    assert stranger.outcome is LinkOutcome.INVALID
    linked = patients.get(conn, enrolment.patient_id)
    assert linked is not None and linked.chat_id == 5001


def test_expired_unknown_and_malformed_invites_link_nothing(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    late = clock.now() + timedelta(days=15)
    assert redeem_invite(conn, enrolment.token, chat_id=1, now=late).outcome is LinkOutcome.INVALID
    for token in ("", "x" * 32, enrolment.token[:-1], enrolment.token + "A", "<script>"):
        assert redeem_invite(conn, token, chat_id=1, now=clock.now()).outcome is LinkOutcome.INVALID
    patient = patients.get(conn, enrolment.patient_id)
    assert patient is not None and patient.chat_id is None


def test_a_new_invite_voids_the_old_one(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    issue_invite(conn, enrolment.patient_id, 14, clock.now())
    assert (
        redeem_invite(conn, enrolment.token, chat_id=1, now=clock.now()).outcome
        is LinkOutcome.INVALID
    )


def test_reissuing_an_invite_voids_the_old_link_and_is_audited(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    fresh = reissue_invite(
        conn, enrolment.patient_id, actor="telegram:7", invite_days=14, now=clock.now()
    )
    assert fresh.outcome is InviteOutcome.ISSUED and fresh.token != enrolment.token
    old = redeem_invite(conn, enrolment.token, chat_id=1, now=clock.now())
    assert old.outcome is LinkOutcome.INVALID
    new = redeem_invite(conn, fresh.token, chat_id=1, now=clock.now())
    assert new.outcome is LinkOutcome.LINKED
    assert audit.actions(conn, f"patient:{enrolment.patient_id}") == ["enrol", "invite", "link"]


def test_no_invite_for_an_unknown_or_erased_patient(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _book(conn, plan, clock)
    patients.set_status(conn, enrolment.patient_id, PatientStatus.ERASED)
    for patient_id, outcome in (
        (enrolment.patient_id, InviteOutcome.ERASED),
        (999, InviteOutcome.NOT_FOUND),
    ):
        result = reissue_invite(
            conn, patient_id, actor="telegram:7", invite_days=14, now=clock.now()
        )
        assert result.outcome is outcome
    assert conn.execute("SELECT count(*) FROM invites").fetchone()[0] == 1  # none new
