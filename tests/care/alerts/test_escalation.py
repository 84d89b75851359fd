"""Fifteen minutes of working time: an alert raised just before closing, before a weekend or a
holiday, waits for the next opening; raised while closed, the whole delay starts at opening."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from care.alerts.escalation import ESCALATE_AFTER, after_working
from care.schedule.working_time import OpeningHours, WorkingTime, parse_working_days
from tests.conftest import TEHRAN

WORKING = WorkingTime(parse_working_days("sat-thu"), OpeningHours.parse("09:00-18:00"), TEHRAN)


def tehran(day: date, at: str) -> datetime:
    hours, minutes = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TEHRAN).astimezone(UTC)


def test_an_alert_raised_at_1755_on_a_wednesday_is_due_at_0910_on_thursday() -> None:
    wednesday = date(2026, 12, 9)
    assert wednesday.weekday() == 2 and WORKING.is_working_day(wednesday)
    due = after_working(tehran(wednesday, "17:55"), ESCALATE_AFTER, WORKING)
    assert due == tehran(date(2026, 12, 10), "09:10")


def test_raised_at_1755_on_thursday_it_waits_for_saturday() -> None:
    due = after_working(tehran(date(2026, 12, 10), "17:55"), ESCALATE_AFTER, WORKING)
    assert due == tehran(date(2026, 12, 12), "09:10")  # Friday is closed


def test_on_the_eve_of_a_holiday_it_waits_for_the_day_after() -> None:
    eve, holiday = date(2026, 12, 22), date(2026, 12, 23)
    assert WORKING.is_working_day(eve) and WORKING.closed_because(holiday) is not None
    due = after_working(tehran(eve, "17:55"), ESCALATE_AFTER, WORKING)
    assert due == tehran(date(2026, 12, 24), "09:10")


def test_raised_while_open_it_is_a_quarter_of_an_hour_later() -> None:
    due = after_working(tehran(date(2026, 12, 9), "11:00"), ESCALATE_AFTER, WORKING)
    assert due == tehran(date(2026, 12, 9), "11:15")


def test_raised_at_night_the_whole_delay_starts_at_opening() -> None:
    due = after_working(tehran(date(2026, 12, 9), "23:30"), ESCALATE_AFTER, WORKING)
    assert due == tehran(date(2026, 12, 10), "09:15")


def open_time_between(start: datetime, end: datetime) -> timedelta:
    """The clinic's open time in [start, end), day by day."""
    total = timedelta(0)
    day = start.astimezone(TEHRAN).date()
    while tehran(day, "00:00") < end:
        if WORKING.is_working_day(day):
            opens, closes = tehran(day, "09:00"), tehran(day, "18:00")
            overlap = min(closes, end) - max(opens, start)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(date(2026, 12, 1), date(2027, 4, 30)),
    minute=st.integers(0, 24 * 60 - 1),
    span=st.integers(1, 600),
)
def test_exactly_the_span_of_open_time_passes_at_any_moment(
    day: date, minute: int, span: int
) -> None:
    start = tehran(day, "00:00") + timedelta(minutes=minute)
    due = after_working(start, timedelta(minutes=span), WORKING)
    assert due > start
    assert open_time_between(start, due) == timedelta(minutes=span)
    local = due.astimezone(TEHRAN)
    assert WORKING.is_working_day(local.date())
    assert time(9, 0) < local.time() <= time(18, 0)
