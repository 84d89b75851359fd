"""The days and parts of the day a patient may ask for: working days only, within the horizon,
and parts cut from the clinic's opening hours."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from care.schedule.day_parts import (
    OFFERED_DAYS,
    Choice,
    DayPart,
    may_offer,
    offered_days,
    offered_parts,
    part_window,
    slot_starts,
)
from care.schedule.horizon import BOOKING_HORIZON
from care.schedule.working_time import OpeningHours, WorkingTime, parse_working_days

TEHRAN = ZoneInfo("Asia/Tehran")
CLINIC = WorkingTime(parse_working_days("sat-thu"), OpeningHours.parse("09:00-18:00"), TEHRAN)
NOWRUZ_EVE = datetime(2027, 3, 19, 20, 0, tzinfo=TEHRAN)  # a Friday, before 29 Esfand and Nowruz
WEEKS = st.sampled_from(["sat-thu", "sat-wed", "sun-thu", "sat,mon,wed", "fri"])


def test_the_parts_cut_the_opening_hours_at_noon_and_four() -> None:
    hours = OpeningHours.parse("09:00-18:00")
    assert part_window(DayPart.MORNING, hours) == (time(9), time(12))
    assert part_window(DayPart.AFTERNOON, hours) == (time(12), time(16))
    assert part_window(DayPart.EVENING, hours) == (time(16), time(18))
    assert offered_parts(OpeningHours.parse("08:00-14:00")) == (
        DayPart.MORNING,
        DayPart.AFTERNOON,
    )
    assert offered_parts(OpeningHours.parse("13:00-21:00")) == (
        DayPart.AFTERNOON,
        DayPart.EVENING,
    )


def test_nowruz_and_fridays_are_never_offered() -> None:
    days = offered_days(CLINIC, NOWRUZ_EVE.astimezone(UTC))
    # 20 Mar (29 Esfand), 21-24 Mar (Nowruz 1-4), 26 Mar (Friday) are closed.
    assert days == [
        date(2027, 3, 25),
        date(2027, 3, 27),
        date(2027, 3, 28),
        date(2027, 3, 29),
        date(2027, 3, 30),
        date(2027, 3, 31),
    ]


@settings(max_examples=400, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
    ),
    week=WEEKS,
)
@example(now=NOWRUZ_EVE.astimezone(UTC), week="sat-thu")
@example(now=datetime(2026, 6, 24, 21, 0, tzinfo=UTC), week="sat-thu")  # Tasua and Ashura
def test_offered_days_are_the_next_working_days_within_the_horizon(
    now: datetime, week: str
) -> None:
    working = WorkingTime(parse_working_days(week), CLINIC.hours, TEHRAN)
    days = offered_days(working, now)
    today = now.astimezone(TEHRAN).date()
    assert len(days) == OFFERED_DAYS
    assert days == sorted(set(days))
    assert all(working.is_working_day(day) for day in days)
    assert today < days[0]
    last = local_end(days[-1])
    assert last - now <= BOOKING_HORIZON
    # none skipped: every day between today and the last offered is closed, or offered
    day = today + timedelta(days=1)
    while day <= days[-1]:
        assert working.is_working_day(day) == (day in days), day
        day += timedelta(days=1)
    for day in days:
        for part in offered_parts(working.hours):
            assert may_offer(Choice(day, part), working, now)
    assert not may_offer(Choice(today, DayPart.MORNING), working, now)


def local_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=TEHRAN)


@pytest.mark.parametrize("minutes", [30, 45, 60, 90])
def test_slots_start_a_session_apart_and_end_by_closing(minutes: int) -> None:
    length = timedelta(minutes=minutes)
    day = date(2027, 3, 27)  # a Saturday
    for part in DayPart:
        starts = slot_starts(Choice(day, part), CLINIC, length)
        window = part_window(part, CLINIC.hours)
        assert window is not None and starts
        local = [s.astimezone(TEHRAN) for s in starts]
        assert local[0].time() == window[0]
        assert all(b - a == length for a, b in itertools.pairwise(starts))
        assert all(window[0] <= s.time() < window[1] for s in local)
        assert all((s + length).time() <= time(18) for s in local)


def test_no_slot_on_a_closed_day() -> None:
    friday, nowruz = date(2027, 3, 26), date(2027, 3, 21)
    for day in (friday, nowruz):
        assert slot_starts(Choice(day, DayPart.MORNING), CLINIC, timedelta(hours=1)) == []
