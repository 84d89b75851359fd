"""A `working_day` step (the follow-up, which asks the patient to book) goes out on a day the
clinic works, at the hour it was planned for."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.schedule.planning import SessionTimes, plan_repeat, plan_session
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol, parse_protocol
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import OpeningHours, WorkingTime
from tests.care.schedule.test_working_time import FixedHolidays

TEHRAN = ZoneInfo("Asia/Tehran")
NIGHT = QuietHours(time(22, 0), time(8, 0))
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
IRAN = WorkingTime(frozenset({5, 6, 0, 1, 2, 3}), OpeningHours(time(9), time(18)), TEHRAN)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def tehran(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TEHRAN).astimezone(UTC)


def follow_up(start: datetime, working: WorkingTime | None = IRAN) -> datetime:
    times = SessionTimes(start, start + timedelta(hours=1), is_last_of_course=True)
    planned = plan_session(PROTOCOL, times, tz=TEHRAN, quiet=NIGHT, now=NOW, working=working)
    (message,) = [m for m in planned if m.step == "follow_up"]
    return message.due_at


def test_the_shipped_protocol_keeps_the_follow_up_on_working_days() -> None:
    assert PROTOCOL.step("follow_up").working_day
    asks_to_book = {"follow_up", "no_show_follow_up"}
    assert not any(step.working_day for step in PROTOCOL.steps if step.key not in asks_to_book)


def test_a_follow_up_due_on_nowruz_waits_for_the_first_working_day_at_10() -> None:
    # Six months after 30 Shahrivar 1405 is 1 Farvardin 1406 (Sun 21 Mar 2027): Nowruz, and
    # 2-4 Farvardin too; 5 Farvardin (Thu 25 Mar) is the first working day.
    start = tehran(jdatetime.date(1405, 6, 30).togregorian(), 14)
    assert follow_up(start, working=None) == tehran(date(2027, 3, 21), 10)
    assert follow_up(start) == tehran(date(2027, 3, 25), 10)


def test_the_next_six_monthly_follow_up_also_skips_closed_days() -> None:
    step = PROTOCOL.step("follow_up")
    before_nowruz = tehran(date(2026, 9, 21), 10)  # its repeat would fall on 1 Farvardin
    again = plan_repeat(step, previous_due=before_nowruz, tz=TEHRAN, quiet=NIGHT, working=IRAN)
    due, expires = again.due_at, again.expires_at
    assert due == tehran(date(2027, 3, 25), 10)
    assert expires == tehran(date(2027, 3, 21), 10) + timedelta(days=30)  # not pushed later


def test_a_move_that_would_reach_the_expiry_keeps_the_planned_time() -> None:
    protocol = parse_protocol(
        """
        [steps.follow_up]
        when = "end + 6mo at 10:00"
        expires = "due + 1d"
        working_day = true
        """,
        source="test",
    )
    start = tehran(jdatetime.date(1405, 6, 30).togregorian(), 14)
    times = SessionTimes(start, start + timedelta(hours=1), is_last_of_course=True)
    (message,) = plan_session(protocol, times, tz=TEHRAN, quiet=NIGHT, now=NOW, working=IRAN)
    assert message.due_at == tehran(date(2027, 3, 21), 10)  # Nowruz, but useless by Thursday


@pytest.mark.parametrize("value", ['"yes"', "1"])
def test_working_day_must_be_true_or_false(value: str) -> None:
    with pytest.raises(ValueError, match="working_day"):
        parse_protocol(
            f'[steps.x]\nwhen = "end"\nexpires = "end + 1d"\nworking_day = {value}\n',
            source="test",
        )


holidays = st.frozensets(st.dates(date(2026, 1, 1), date(2032, 12, 31)), max_size=60)
weeks = st.frozensets(st.integers(0, 6), min_size=1, max_size=7)


@given(
    day=st.dates(date(2026, 1, 1), date(2031, 12, 31)),
    hour=st.integers(9, 19),
    week=weeks,
    closed=holidays,
)
def test_a_follow_up_lands_on_a_working_day_at_the_same_hour(
    day: date, hour: int, week: frozenset[int], closed: frozenset[date]
) -> None:
    working = WorkingTime(week, OpeningHours(time(9), time(18)), TEHRAN, FixedHolidays(closed))
    start = tehran(day, hour)
    wanted = follow_up(start, working=None)
    due = follow_up(start, working=working)
    local = due.astimezone(TEHRAN)
    assert local.time() == time(10, 0)  # the same hour: no quiet-hours or daylight shift
    assert due >= wanted
    if due > wanted:  # moved: to the first working day after the closed one
        assert not working.is_working_day(wanted.astimezone(TEHRAN).date())
        assert local.date() == working.next_working_day(wanted.astimezone(TEHRAN).date())
    else:  # kept: it was a working day, or the move would have reached the expiry
        kept_rightly = working.is_working_day(local.date()) or (
            tehran(working.next_working_day(local.date()), 10) >= wanted + timedelta(days=30)
        )
        assert kept_rightly
