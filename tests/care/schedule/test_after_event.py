"""The nudge after a no-show: planned once per missed session, for the next working morning,
never in quiet hours, never on a day the clinic is closed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care.core.models import AppointmentStatus
from care.db import appointments, messages
from care.desk.actions import Action, Request, perform
from care.people.enrolment import Booking, enrol
from care.schedule.after_event import plan_after_event
from care.schedule.plan import CarePlan
from care.schedule.planning import plan_after
from care.schedule.protocol import (
    DEFAULT_PROTOCOL_PATH,
    ProtocolError,
    load_protocol,
    parse_protocol,
)
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import OpeningHours, WorkingTime

TEHRAN = ZoneInfo("Asia/Tehran")
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
NUDGE = PROTOCOL.step("no_show_follow_up")
# Saturday to Thursday, with Iran's real holidays (Nowruz, the lunar ones).
IRAN = WorkingTime(frozenset({5, 6, 0, 1, 2, 3}), OpeningHours(time(9), time(18)), TEHRAN)
NIGHT = QuietHours(time(22, 0), time(8, 0))


@settings(max_examples=400, deadline=None)
@given(
    marked=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    )
)
def test_the_nudge_comes_on_a_later_working_morning_outside_quiet_hours(marked: datetime) -> None:
    planned = plan_after(NUDGE, marked=marked, tz=TEHRAN, quiet=NIGHT, now=marked, working=IRAN)
    due = planned.due_at.astimezone(TEHRAN)
    assert planned.skip_reason is None
    assert due.date() > marked.astimezone(TEHRAN).date()  # never that night
    assert IRAN.is_working_day(due.date())
    assert not NIGHT.contains(planned.due_at, TEHRAN)
    assert due.time() == time(10, 0)
    # The next working morning: no working day in between was skipped.
    assert due.date() == IRAN.next_working_day(marked.astimezone(TEHRAN).date())
    assert planned.due_at < planned.expires_at


def test_session_planning_leaves_event_steps_out(conn: sqlite3.Connection, plan: CarePlan) -> None:
    now = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    enrolment = enrol(
        conn,
        Booking("Sara Ahmadi", now + timedelta(days=3), "en"),
        plan=plan,
        actor="test",
        invite_days=14,
        now=now,
    )
    (appointment_id,) = enrolment.appointment_ids
    steps = {m.step for m in messages.of_appointment(conn, appointment_id)}
    assert "no_show_follow_up" not in steps
    assert "pre_care" in steps


def test_one_nudge_per_missed_session_however_often_it_is_marked(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    booked_at = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    enrolment = enrol(
        conn,
        Booking("Sara Ahmadi", booked_at + timedelta(days=1), "en"),
        plan=plan,
        actor="test",
        invite_days=14,
        now=booked_at,
    )
    (appointment_id,) = enrolment.appointment_ids
    later = booked_at + timedelta(days=1, hours=2)
    request = Request(Action.NO_SHOW, enrolment.patient_id, appointment_id)
    first = perform(conn, request, plan=plan, actor="staff:1", now=later)
    again = perform(conn, request, plan=plan, actor="staff:1", now=later + timedelta(minutes=1))
    assert first.ok and not again.ok
    appointment = appointments.get(conn, appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.NO_SHOW
    # As after a restart that replays the event: still one.
    assert plan_after_event(conn, appointment, "no_show", plan=plan, now=later) == []
    nudges = [m for m in messages.of_appointment(conn, appointment_id) if m.step == NUDGE.key]
    assert len(nudges) == 1


def test_a_clinic_can_switch_the_nudge_off(conn: sqlite3.Connection, plan: CarePlan) -> None:
    text = DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8")
    without = text[: text.index("[steps.no_show_follow_up]")]
    protocol = parse_protocol(without, source="test")
    assert protocol.after("no_show") == ()
    now = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    enrolment = enrol(
        conn,
        Booking("Sara Ahmadi", now + timedelta(hours=1), "en"),
        plan=plan,
        actor="test",
        invite_days=14,
        now=now,
    )
    (appointment_id,) = enrolment.appointment_ids
    quiet_plan = CarePlan(protocol, plan.tz, plan.quiet)
    request = Request(Action.NO_SHOW, enrolment.patient_id, appointment_id)
    assert perform(conn, request, plan=quiet_plan, actor="staff:1", now=now + timedelta(hours=2)).ok
    steps = {m.step for m in messages.of_appointment(conn, appointment_id)}
    assert NUDGE.key not in steps


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ('in_time_by = "marked + 1h"', "in_time_by"),
        ('sessions = "last"', "sessions"),
        ('repeat = "6mo"', "repeat"),
        ('after = "party"', "after"),
    ],
)
def test_an_event_step_refuses_what_it_cannot_have(extra: str, named: str) -> None:
    body = f'[steps.x]\nafter = "no_show"\nwhen = "marked + 1d"\nexpires = "due + 1d"\n{extra}\n'
    body = body.replace('after = "no_show"\n', "") if extra.startswith("after") else body
    with pytest.raises(ProtocolError, match=named):
        parse_protocol(body, source="test")


def test_an_event_step_is_anchored_on_when_it_was_marked() -> None:
    body = '[steps.x]\nafter = "no_show"\nwhen = "start + 1d"\nexpires = "due + 1d"\n'
    with pytest.raises(ProtocolError, match="marked"):
        parse_protocol(body, source="test")
