"""The free times the card offers for a request for another time: within the choices, on
working days, ahead and within the horizon, and never over a booked session."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from care.core.models import Appointment, AppointmentStatus
from care.db import appointments
from care.db.connection import connect
from care.desk.reschedule_offers import MAX_SLOTS, free_starts
from care.schedule.day_parts import PARTS, Choice, offered_days, part_window
from care.schedule.horizon import BOOKING_HORIZON
from care.schedule.plan import CarePlan
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import OpeningHours, WorkingTime, parse_working_days
from tests.factories import enrolled

TEHRAN = ZoneInfo("Asia/Tehran")
CLINIC = WorkingTime(parse_working_days("sat-thu"), OpeningHours.parse("09:00-18:00"), TEHRAN)
PLAN = CarePlan(load_protocol(DEFAULT_PROTOCOL_PATH), TEHRAN, QuietHours.parse("22:00-08:00"))
NOWRUZ_EVE = datetime(2027, 3, 19, 16, 30, tzinfo=UTC)


def _book(conn: sqlite3.Connection, now: datetime, starts: datetime, name: str) -> Appointment:
    made = enrolled(conn, PLAN, now, name=name, starts_at=starts)
    found = appointments.get(conn, made.appointment_ids[0])
    assert found is not None
    return found


@settings(max_examples=60, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    booked=st.lists(st.integers(min_value=0, max_value=7 * 24 * 4), max_size=12),
    day_bits=st.integers(min_value=1, max_value=63),
    part_bits=st.integers(min_value=1, max_value=7),
)
@example(now=NOWRUZ_EVE, booked=[4 * 24 + 36, 4 * 24 + 40], day_bits=63, part_bits=7)
def test_free_starts_are_working_time_and_never_over_a_booked_session(
    now: datetime, booked: list[int], day_bits: int, part_bits: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        conn = connect(Path(folder) / "mesocare.db")
        try:
            _check(conn, now, booked, day_bits, part_bits)
        finally:
            conn.close()


def _check(
    conn: sqlite3.Connection, now: datetime, booked: list[int], day_bits: int, part_bits: int
) -> None:
    days = offered_days(CLINIC, now)
    moving = _book(conn, now, now + timedelta(days=2, minutes=7), "Sara Ahmadi")
    first = datetime.combine(days[0], datetime.min.time(), tzinfo=TEHRAN)
    for number, quarter in enumerate(booked):  # other patients, every 15 minutes of the week
        _book(conn, now, first + timedelta(minutes=15 * quarter), f"Patient {number}")
    choices = [
        Choice(day, part)
        for i, day in enumerate(days)
        if day_bits >> i & 1
        for j, part in enumerate(PARTS)
        if part_bits >> j & 1
    ]
    free = free_starts(conn, moving, choices, working=CLINIC, now=now)
    length = moving.ends_at - moving.starts_at
    taken = [
        a
        for a in appointments.booked_between(conn, 0, 2**40)
        if a.id != moving.id and a.status is AppointmentStatus.BOOKED
    ]
    assert len(free) <= MAX_SLOTS
    assert free == sorted(set(free))
    for start in free:
        local = start.astimezone(TEHRAN)
        assert now < start and start - now <= BOOKING_HORIZON
        assert CLINIC.is_working_day(local.date())
        assert (local + length).time() <= CLINIC.hours.closes
        assert any(
            c.day == local.date() and _in(part_window(c.part, CLINIC.hours), local) for c in choices
        )
        assert not any(a.starts_at < start + length and start < a.ends_at for a in taken)
    if not taken:  # nothing booked: every chosen part has room, so something is offered
        assert free


def _in(window: tuple[time, time] | None, local: datetime) -> bool:
    return window is not None and window[0] <= local.time() < window[1]
