"""The staff agenda query against a real SQLite database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from care.core.clock import to_epoch
from care.core.models import MessageState, PatientStatus
from care.db import messages, patients
from care.db.agenda import _PAGE, _WINDOW, FLAGS, PreCare, booked_between
from care.desk.journey import mark_done
from care.people.enrolment import Booking, enrol
from care.people.invites import redeem_invite
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock


def _enrol(
    conn: sqlite3.Connection,
    plan: CarePlan,
    clock: FakeClock,
    name: str,
    hours: float,
    **extra: Any,
) -> tuple[int, tuple[int, ...], str]:
    booking = Booking(
        full_name=name,
        starts_at=clock.now() + timedelta(hours=hours),
        language="en",
        **extra,
    )
    done = enrol(conn, booking, plan=plan, actor="telegram:1", invite_days=14, now=clock.now())
    return done.patient_id, done.appointment_ids, done.token


def _answer(conn: sqlite3.Connection, appointment_id: int, answer: str) -> None:
    (pre,) = [m for m in messages.of_appointment(conn, appointment_id) if m.step == "pre_care"]
    conn.execute(
        "UPDATE care_messages SET state = 'sent', sent_at = 1, answer = ? WHERE id = ?",
        (answer, pre.id),
    )


def test_entries_carry_link_pre_care_and_flags(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    _, (first,), token = _enrol(conn, plan, clock, "Sara", 30, area="face")
    _, (second,), _ = _enrol(conn, plan, clock, "Reza", 31)
    _, (third,), _ = _enrol(conn, plan, clock, "Mina", 32)
    redeem_invite(conn, token, chat_id=5001, now=clock.now())
    _answer(conn, first, "understood")
    _answer(conn, second, "blood_thinner")
    (pre,) = [m for m in messages.of_appointment(conn, third) if m.step == "pre_care"]
    messages.transition(
        conn,
        pre.id,
        from_state=MessageState.PENDING,
        to_state=MessageState.SENDING,
        reason="test",
        now=to_epoch(clock.now()),
    )
    messages.record_sent(conn, pre.id, 77, to_epoch(clock.now()))

    page = booked_between(conn, clock.now(), clock.now() + timedelta(days=2), page=0, per_page=10)
    assert [e.patient_name for e in page.entries] == ["Sara", "Reza", "Mina"]
    sara, reza, mina = page.entries
    assert (sara.linked, sara.pre_care, sara.flags, sara.area) == (
        True,
        PreCare.ACKNOWLEDGED,
        (),
        "face",
    )
    assert (reza.linked, reza.pre_care, reza.flags) == (False, PreCare.SENT, ("blood_thinner",))
    assert (mina.pre_care, mina.session_number, mina.session_count) == (PreCare.SENT, 1, 1)


def test_only_booked_appointments_of_kept_patients_inside_the_window(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    _, course, _ = _enrol(conn, plan, clock, "Course", 2, session_count=3, interval_days=7)
    _, (done,), _ = _enrol(conn, plan, clock, "Done", 3)
    erased, _, _ = _enrol(conn, plan, clock, "Erased", 4)
    _enrol(conn, plan, clock, "Later", 24 * 30)
    mark_done(conn, done, plan=plan, actor="telegram:1", now=clock.now())
    patients.set_status(conn, erased, PatientStatus.ERASED)

    page = booked_between(conn, clock.now(), clock.now() + timedelta(days=10), page=0, per_page=10)
    assert [(e.appointment_id, e.session_number) for e in page.entries] == [
        (course[0], 1),
        (course[1], 2),
    ]
    assert page.total == 2


def test_pages_are_clamped_and_in_time_order(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    for n in range(23):
        _enrol(conn, plan, clock, f"P{n:02d}", 48 - n)  # booked in reverse time order
    window = (clock.now(), clock.now() + timedelta(days=3))
    pages = [booked_between(conn, *window, page=p, per_page=10) for p in range(3)]
    assert [len(p.entries) for p in pages] == [10, 10, 3]
    assert {p.page_count for p in pages} == {3}
    names = [e.patient_name for p in pages for e in p.entries]
    assert names == [f"P{n:02d}" for n in reversed(range(23))]
    assert booked_between(conn, *window, page=99, per_page=10).page == 2
    assert booked_between(conn, *window, page=-5, per_page=10).page == 0
    empty = booked_between(conn, clock.now() - timedelta(days=9), clock.now(), page=0, per_page=10)
    assert (empty.total, empty.page_count, empty.entries) == (0, 1, ())


def test_the_window_is_read_with_the_start_time_index(conn: sqlite3.Connection) -> None:
    for sql in ("SELECT count(*)" + _WINDOW, _PAGE):
        plan = " ".join(
            row[3]
            for row in conn.execute(
                f"EXPLAIN QUERY PLAN {sql}",
                {
                    "start": 0,
                    "end": 1,
                    "pre_care": "pre_care",
                    "acknowledged": "understood",
                    **{f"flag{i}": flag for i, flag in enumerate(FLAGS)},
                    "limit": 10,
                    "offset": 0,
                },
            )
        )
        assert "USING INDEX appointments_starts" in plan
        assert "SCAN a" not in plan and "SCAN m" not in plan
