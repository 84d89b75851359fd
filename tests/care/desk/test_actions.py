"""The desk's actions against a real SQLite database: each one changes what it should, in one
transaction with an audit entry, and a refused one changes nothing at all."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from care.core.models import AppointmentStatus, MessageState, PatientStatus
from care.core.reasons import Reason
from care.db import appointments, audit, messages, patients
from care.desk.actions import Action, ActionResult, Refusal, Request, check, perform
from care.people.enrolment import Booking, Enrolment, enrol
from care.schedule.plan import CarePlan
from tests.conftest import TEHRAN, FakeClock

STAFF = "telegram:1001"


def _enrol(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, *, sessions: int = 1
) -> Enrolment:
    booking = Booking(
        full_name="Sara Ahmadi",
        starts_at=clock.now() + timedelta(days=4),
        language="fa",
        session_count=sessions,
        interval_days=14,
        area="face",
        phone="+98 912 123 4567",
    )
    return enrol(conn, booking, plan=plan, actor=STAFF, invite_days=14, now=clock.now())


def _do(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, request: Request
) -> ActionResult:
    return perform(conn, request, plan=plan, actor=STAFF, now=clock.now())


def _dump(conn: sqlite3.Connection) -> str:
    return "\n".join(conn.iterdump())


def _pending(conn: sqlite3.Connection, appointment_id: int) -> dict[str, datetime]:
    return {
        m.step: m.due_at
        for m in messages.of_appointment(conn, appointment_id)
        if m.state is MessageState.PENDING
    }


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TEHRAN)


def test_reschedule_cancels_the_pending_messages_and_plans_them_for_the_new_time(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    before = _pending(conn, appointment_id)
    new_start = _local("2026-12-14 15:00")

    result = _do(
        conn,
        plan,
        clock,
        Request(Action.RESCHEDULE, enrolment.patient_id, appointment_id, starts_at=new_start),
    )

    assert result.ok
    assert result.previous is not None and result.previous.starts_at == before["pre_care"] + (
        timedelta(hours=26)
    )
    moved = appointments.get(conn, appointment_id)
    assert moved is not None and moved.starts_at == new_start
    assert moved.ends_at - moved.starts_at == timedelta(minutes=60)
    after = _pending(conn, appointment_id)
    assert set(after) == set(before)
    assert after["pre_care"] == new_start - timedelta(hours=26)
    assert after["post_care"] == new_start + timedelta(minutes=60)
    assert all(after[step] != before[step] for step in ("pre_care", "day_of", "post_care"))
    cancelled = [
        m
        for m in messages.of_appointment(conn, appointment_id)
        if m.state is MessageState.CANCELLED
    ]
    assert len(cancelled) == len(before)
    assert {m.reason for m in cancelled} == {"rescheduled"}
    assert audit.actions(conn, f"appointment:{appointment_id}") == ["reschedule"]
    row = conn.execute("SELECT actor, at, detail FROM audit WHERE action = 'reschedule'").fetchone()
    assert row["actor"] == STAFF and row["at"] == int(clock.now().timestamp())
    assert new_start.isoformat() in row["detail"]


def test_messages_already_sent_stay_sent_when_the_session_moves(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    pre_care = next(
        m for m in messages.of_appointment(conn, appointment_id) if m.step == "pre_care"
    )
    conn.execute("UPDATE care_messages SET state = 'sent' WHERE id = ?", (pre_care.id,))
    new_start = clock.now() + timedelta(days=6)
    _do(
        conn,
        plan,
        clock,
        Request(Action.RESCHEDULE, enrolment.patient_id, appointment_id, starts_at=new_start),
    )
    kept = messages.get(conn, pre_care.id)
    assert kept is not None and kept.state is MessageState.SENT
    assert _pending(conn, appointment_id)["pre_care"] == new_start - timedelta(hours=26)


@pytest.mark.parametrize(
    ("shift", "refusal"),
    [
        (timedelta(hours=-1), Refusal.IN_PAST),
        (timedelta(0), Refusal.IN_PAST),
        (timedelta(days=401), Refusal.TOO_FAR),
        (timedelta(days=4), Refusal.SAME_TIME),  # where it already is
    ],
)
def test_a_refused_reschedule_changes_nothing(
    conn: sqlite3.Connection,
    plan: CarePlan,
    clock: FakeClock,
    shift: timedelta,
    refusal: Refusal,
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    before = _dump(conn)
    request = Request(
        Action.RESCHEDULE, enrolment.patient_id, appointment_id, starts_at=clock.now() + shift
    )
    assert check(conn, request, clock.now()).refusal is refusal
    assert _do(conn, plan, clock, request).refusal is refusal
    assert _dump(conn) == before


def test_an_appointment_of_another_patient_is_refused(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    sara = _enrol(conn, plan, clock)
    other = _enrol(conn, plan, clock)
    before = _dump(conn)
    for chosen in (Action.CANCEL, Action.DONE, Action.NO_SHOW):
        request = Request(chosen, sara.patient_id, other.appointment_ids[0])
        assert _do(conn, plan, clock, request).refusal is Refusal.WRONG_PATIENT
    missing = Request(Action.CANCEL, sara.patient_id, 9999)
    assert _do(conn, plan, clock, missing).refusal is Refusal.NOT_FOUND
    nobody = Request(Action.PAUSE, 9999)
    assert _do(conn, plan, clock, nobody).refusal is Refusal.NOT_FOUND
    assert _dump(conn) == before


def test_cancel_cancels_every_pending_message_and_only_once(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    request = Request(Action.CANCEL, enrolment.patient_id, appointment_id)
    assert _do(conn, plan, clock, request).ok
    cancelled = appointments.get(conn, appointment_id)
    assert cancelled is not None and cancelled.status is AppointmentStatus.CANCELLED
    states = {m.state for m in messages.of_appointment(conn, appointment_id)}
    assert states == {MessageState.CANCELLED}
    before = _dump(conn)
    again = _do(conn, plan, clock, request)
    assert again.refusal is Refusal.NOT_BOOKED
    assert _dump(conn) == before
    assert audit.actions(conn, f"appointment:{appointment_id}") == ["cancel"]


def test_done_twice_is_refused_the_second_time(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    request = Request(Action.DONE, enrolment.patient_id, appointment_id)
    assert _do(conn, plan, clock, request).ok
    before = _dump(conn)
    second = _do(conn, plan, clock, request)
    assert second.refusal is Refusal.NOT_BOOKED
    assert second.appointment is not None and second.appointment.status is AppointmentStatus.DONE
    assert _dump(conn) == before


def test_a_no_show_is_recorded_only_once_the_session_has_started(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    (appointment_id,) = enrolment.appointment_ids
    request = Request(Action.NO_SHOW, enrolment.patient_id, appointment_id)
    assert _do(conn, plan, clock, request).refusal is Refusal.NOT_STARTED
    clock.advance(days=4, minutes=20)
    assert _do(conn, plan, clock, request).ok
    missed = appointments.get(conn, appointment_id)
    assert missed is not None and missed.status is AppointmentStatus.NO_SHOW
    # Only the nudge to book again waits (tests/care/test_no_show_follow_up.py).
    assert set(_pending(conn, appointment_id)) == {"no_show_follow_up"}
    reasons = {m.reason for m in messages.of_appointment(conn, appointment_id)}
    assert Reason.NO_SHOW in reasons


def test_an_added_session_becomes_the_last_and_takes_the_follow_up(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock, sessions=2)
    first, old_last = enrolment.appointment_ids
    assert "follow_up" in _pending(conn, old_last)
    new_start = clock.now() + timedelta(days=40)

    result = _do(
        conn, plan, clock, Request(Action.ADD_SESSION, enrolment.patient_id, starts_at=new_start)
    )

    assert result.ok and result.appointment is not None
    added = result.appointment
    assert (added.session_number, added.session_count, added.area) == (3, 3, "face")
    numbers = [(a.session_number, a.session_count) for a in appointments.of_patient(conn, 1)]
    assert numbers == [(1, 3), (2, 3), (3, 3)]
    assert "follow_up" not in _pending(conn, old_last)
    old_follow_up = next(
        m for m in messages.of_appointment(conn, old_last) if m.step == "follow_up"
    )
    assert old_follow_up.state is MessageState.CANCELLED
    assert old_follow_up.reason == Reason.NOT_LAST
    new_pending = _pending(conn, added.id)
    assert new_pending["pre_care"] == new_start - timedelta(hours=26)
    follow_up = new_pending["follow_up"].astimezone(TEHRAN)
    assert (follow_up.date().isoformat(), follow_up.hour) == ("2027-07-15", 10)
    assert "follow_up" not in _pending(conn, first)
    assert audit.actions(conn, f"appointment:{added.id}") == ["add_session"]

    again = _do(
        conn, plan, clock, Request(Action.ADD_SESSION, enrolment.patient_id, starts_at=new_start)
    )
    assert again.refusal is Refusal.SAME_TIME  # a second press of Confirm adds nothing


def test_a_session_added_mid_course_leaves_the_follow_up_where_it_is(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock, sessions=2)
    last = enrolment.appointment_ids[-1]
    between = clock.now() + timedelta(days=10)
    result = _do(
        conn, plan, clock, Request(Action.ADD_SESSION, enrolment.patient_id, starts_at=between)
    )
    assert result.appointment is not None and result.appointment.session_number == 2
    assert "follow_up" not in _pending(conn, result.appointment.id)
    renumbered = appointments.get(conn, last)
    assert renumbered is not None and renumbered.session_number == 3
    assert "follow_up" in _pending(conn, last)
    assert [m.step for m in messages.of_appointment(conn, last)].count("follow_up") == 1


def test_cancelling_the_last_session_hands_the_follow_up_to_the_one_before(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock, sessions=3)
    first, middle, last = enrolment.appointment_ids
    assert _do(conn, plan, clock, Request(Action.CANCEL, enrolment.patient_id, last)).ok
    assert "follow_up" in _pending(conn, middle)
    counted = [appointments.get(conn, a) for a in (first, middle)]
    assert [(a.session_number, a.session_count) for a in counted if a] == [(1, 2), (2, 2)]


def test_moving_the_first_session_after_the_last_renumbers_the_course(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock, sessions=2)
    first, second = enrolment.appointment_ids
    later = clock.now() + timedelta(days=30)
    request = Request(Action.RESCHEDULE, enrolment.patient_id, first, starts_at=later)
    assert _do(conn, plan, clock, request).ok
    moved, other = appointments.get(conn, first), appointments.get(conn, second)
    assert moved is not None and other is not None
    assert (moved.session_number, other.session_number) == (2, 1)
    assert "follow_up" in _pending(conn, first)
    assert "follow_up" not in _pending(conn, second)


def test_language_change_and_its_refusals(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    to_english = Request(Action.LANGUAGE, enrolment.patient_id, language="en")
    result = _do(conn, plan, clock, to_english)
    assert result.ok and result.patient is not None and result.patient.language == "en"
    assert _do(conn, plan, clock, to_english).refusal is Refusal.UNCHANGED
    klingon = Request(Action.LANGUAGE, enrolment.patient_id, language="tlh")
    assert _do(conn, plan, clock, klingon).refusal is Refusal.UNKNOWN_LANGUAGE
    row = conn.execute("SELECT detail FROM audit WHERE action = 'language'").fetchone()
    assert row["detail"] == "fa -> en"


def test_pause_and_resume(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> None:
    enrolment = _enrol(conn, plan, clock)
    pause = Request(Action.PAUSE, enrolment.patient_id)
    resume = Request(Action.RESUME, enrolment.patient_id)
    assert _do(conn, plan, clock, resume).refusal is Refusal.UNCHANGED
    assert _do(conn, plan, clock, pause).ok
    paused = patients.get(conn, enrolment.patient_id)
    assert paused is not None and paused.status is PatientStatus.PAUSED
    assert _do(conn, plan, clock, pause).refusal is Refusal.UNCHANGED
    assert _do(conn, plan, clock, resume).ok
    active = patients.get(conn, enrolment.patient_id)
    assert active is not None and active.status is PatientStatus.ACTIVE
    assert audit.actions(conn, f"patient:{enrolment.patient_id}") == ["enrol", "pause", "resume"]


def test_nothing_can_be_done_to_an_erased_patient(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    patients.set_status(conn, enrolment.patient_id, PatientStatus.ERASED)
    (appointment_id,) = enrolment.appointment_ids
    later = clock.now() + timedelta(days=9)
    requests = [
        Request(Action.RESCHEDULE, enrolment.patient_id, appointment_id, starts_at=later),
        Request(Action.CANCEL, enrolment.patient_id, appointment_id),
        Request(Action.DONE, enrolment.patient_id, appointment_id),
        Request(Action.NO_SHOW, enrolment.patient_id, appointment_id),
        Request(Action.ADD_SESSION, enrolment.patient_id, starts_at=later),
        Request(Action.LANGUAGE, enrolment.patient_id, language="en"),
        Request(Action.PAUSE, enrolment.patient_id),
        Request(Action.RESUME, enrolment.patient_id),
    ]
    before = _dump(conn)
    for request in requests:
        assert _do(conn, plan, clock, request).refusal is Refusal.PATIENT_ERASED, request.action
    assert _dump(conn) == before
