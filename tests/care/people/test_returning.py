"""A returning patient: found again by phone or folded name, and a new course on their record,
numbered on its own, with the follow-up moved to its last session."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from care.db import appointments, messages
from care.people.enrolment import Booking, enrol
from care.people.invites import redeem_invite
from care.people.returning import add_course, same_person
from care.schedule.plan import CarePlan

NOW = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def _enrol(conn: sqlite3.Connection, plan: CarePlan, name: str, phone: str | None) -> int:
    booking = Booking(name, NOW + timedelta(days=2), "en", session_count=2, phone=phone)
    return enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=NOW).patient_id


def test_the_same_person_is_found_by_phone_or_by_folded_name(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    sara = _enrol(conn, plan, "Sara Ahmadi", "0912 345 6789")
    ali = _enrol(conn, plan, "علي رضايي", None)
    found = same_person(conn, "S. Ahmadi", "+98 912-345-6789")
    assert found is not None and found.id == sara
    found = same_person(conn, "علی رضایی", None)  # Persian ی for Arabic ي
    assert found is not None and found.id == ali
    assert same_person(conn, "Sara Ahmadi", "0912 000 0000") is None
    assert same_person(conn, "Sara Ahmad", None) is None


def test_a_new_course_lands_on_the_record_and_is_numbered_on_its_own(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    sara = _enrol(conn, plan, "Sara Ahmadi", None)
    later = NOW + timedelta(days=200)
    booking = Booking("Sara Ahmadi", later + timedelta(days=2), "en", session_count=3)
    added = add_course(conn, sara, booking, plan=plan, actor="staff:1", invite_days=14, now=later)
    assert added is not None and len(added.appointment_ids) == 3
    assert added.token is not None  # not linked: a fresh invite
    every = appointments.of_patient(conn, sara)
    assert [(a.course, a.session_number, a.session_count) for a in every] == [
        (1, 1, 2),
        (1, 2, 2),
        (2, 1, 3),
        (2, 2, 3),
        (2, 3, 3),
    ]
    pending = {
        a.id: {m.step for m in messages.of_appointment(conn, a.id) if m.state.value == "pending"}
        for a in every
    }
    assert "follow_up" in pending[every[-1].id]
    assert all("follow_up" not in steps for a_id, steps in pending.items() if a_id != every[-1].id)


def test_a_linked_patient_needs_no_new_invite(conn: sqlite3.Connection, plan: CarePlan) -> None:
    booking = Booking("Sara Ahmadi", NOW + timedelta(days=2), "en")
    enrolment = enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=NOW)
    redeem_invite(conn, enrolment.token, chat_id=4242, now=NOW)
    added = add_course(
        conn, enrolment.patient_id, booking, plan=plan, actor="staff:1", invite_days=14, now=NOW
    )
    assert added is not None and added.token is None and added.patient.chat_id == 4242
