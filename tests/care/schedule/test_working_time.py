"""Working time: WORKING_DAYS, CLINIC_HOURS and Iran's official holidays."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.schedule.working_time import (
    WEEKDAY_KEYS,
    Closure,
    IranHolidays,
    OpeningHours,
    WorkingTime,
    parse_working_days,
)

TEHRAN = ZoneInfo("Asia/Tehran")
SAT_THU = frozenset({5, 6, 0, 1, 2, 3})
NINE_TO_SIX = OpeningHours(time(9, 0), time(18, 0))
IRAN = WorkingTime(SAT_THU, NINE_TO_SIX, TEHRAN)


class FixedHolidays:
    """Holidays given by the test."""

    def __init__(self, days: frozenset[date]) -> None:
        self.days = days

    def holiday_name(self, day: date, lang: str = "en") -> str | None:
        return "a test holiday" if day in self.days else None


def jalali(year: int, month: int, day: int) -> date:
    gregorian: date = jdatetime.date(year, month, day).togregorian()
    return gregorian


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("sat-thu", {"sat", "sun", "mon", "tue", "wed", "thu"}),
        ("sat,sun,mon,tue,wed,thu", {"sat", "sun", "mon", "tue", "wed", "thu"}),
        (" Saturday - Wednesday ", {"sat", "sun", "mon", "tue", "wed"}),
        ("mon-fri", {"mon", "tue", "wed", "thu", "fri"}),
        ("sat-mon, wed", {"sat", "sun", "mon", "wed"}),
        ("fri", {"fri"}),
        ("sun-sat", set(WEEKDAY_KEYS)),
    ],
)
def test_working_days_read_ranges_and_lists(text: str, days: set[str]) -> None:
    assert parse_working_days(text) == {WEEKDAY_KEYS.index(day) for day in days}


@pytest.mark.parametrize("text", ["", "sat-", "someday", "sat-sun-mon", "sat;sun", "1-5"])
def test_unreadable_working_days_say_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="sat-thu"):
        parse_working_days(text)


@given(first=st.integers(0, 6), length=st.integers(1, 7))
def test_a_range_is_its_days_in_week_order(first: int, length: int) -> None:
    last = (first + length - 1) % 7
    text = f"{WEEKDAY_KEYS[first]}-{WEEKDAY_KEYS[last]}"
    assert parse_working_days(text) == {(first + n) % 7 for n in range(length)}


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "09:00-09:00", "09:00-24:00"])
def test_bad_opening_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(text)


def test_opening_hours_read_the_24_hour_clock() -> None:
    assert OpeningHours.parse(" 9:30 - 17:45 ") == OpeningHours(time(9, 30), time(17, 45))


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (jalali(1406, 1, 1), "Nowruz"),
        (jalali(1406, 1, 2), "Nowruz"),
        (jalali(1406, 1, 3), "Nowruz"),
        (jalali(1406, 1, 4), "Nowruz"),
        (jalali(1405, 1, 12), "Islamic Republic"),  # a Wednesday
        (jalali(1405, 1, 13), "Nature"),  # a Thursday
        (jalali(1406, 1, 13), "Nature"),  # on a Friday: the holiday is named
        (date(2026, 6, 24), "Tasua"),
        (date(2026, 6, 25), "Ashura"),
        (jalali(1405, 11, 22), "Revolution"),
    ],
)
def test_iran_holidays_are_closed_and_named(day: date, why: str) -> None:
    assert not IRAN.is_working_day(day)
    closure = IRAN.closed_because(day)
    assert closure == Closure(day, holiday=True)
    name = IRAN.closure_name(closure, "en")
    assert name is not None and why in name


def test_a_weekday_off_is_closed_and_left_to_the_catalogs_to_name() -> None:
    friday = date(2026, 12, 11)
    closure = IRAN.closed_because(friday)
    assert closure == Closure(friday, holiday=False)
    assert IRAN.closure_name(closure, "fa") is None


def test_holidays_are_named_in_persian_for_a_persian_reader() -> None:
    closure = IRAN.closed_because(jalali(1406, 1, 1))
    assert closure is not None
    name = IRAN.closure_name(closure, "fa")
    assert name is not None and "نوروز" in name and not re.search("[A-Za-z]", name)


@pytest.mark.parametrize(
    "day", [jalali(1406, 1, 5), jalali(1406, 1, 15), date(2026, 12, 6), date(2026, 12, 12)]
)
def test_ordinary_days_are_working_days(day: date) -> None:
    assert IRAN.is_working_day(day)
    assert IRAN.closed_because(day) is None


def test_after_nowruz_the_clinic_opens_on_the_first_working_day() -> None:
    # 29 Esfand 1405 (Sat 20 Mar 2027) is itself a holiday; 1-4 Farvardin are Nowruz.
    assert IRAN.next_working_day(jalali(1405, 12, 27)) == jalali(1406, 1, 5)
    friday_evening = datetime(2027, 3, 19, 20, 0, tzinfo=TEHRAN)
    opening = IRAN.next_opening(friday_evening).astimezone(TEHRAN)
    assert (opening.date(), opening.time()) == (jalali(1406, 1, 5), time(9, 0))


def test_the_library_computes_the_years_it_is_asked_for() -> None:
    later = IranHolidays()
    assert later.holiday_name(jalali(1420, 1, 1)) is not None  # Nowruz 2041
    assert later.holiday_name(jalali(1420, 1, 6)) is None


# --- properties over many times, working weeks and holidays ---------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
weeks = st.frozensets(st.integers(0, 6), min_size=1)
hours = st.tuples(st.integers(0, 22), st.integers(1, 23)).map(sorted).filter(lambda h: h[0] < h[1])
holiday_sets = st.frozensets(st.dates(date(2024, 12, 1), date(2031, 2, 1)), max_size=40)


def working_time(week: frozenset[int], span: list[int], holidays: frozenset[date]) -> WorkingTime:
    opens, closes = span
    return WorkingTime(
        week, OpeningHours(time(opens), time(closes)), TEHRAN, FixedHolidays(holidays)
    )


@given(now=instants, week=weeks, span=hours, holidays=holiday_sets)
def test_next_opening_is_open_and_nothing_earlier_is(
    now: datetime, week: frozenset[int], span: list[int], holidays: frozenset[date]
) -> None:
    working = working_time(week, span, holidays)
    opening = working.next_opening(now)
    assert opening >= now
    assert working.is_open(opening)
    if opening > now:
        assert not working.is_open(now)
        assert not working.is_open(opening - timedelta(minutes=1))
        local = opening.astimezone(TEHRAN)
        assert local.time() == time(span[0])  # the doors open at the opening hour
        # every day from now to the opening day is closed, or already past its closing hour
        day = now.astimezone(TEHRAN).date() + timedelta(days=1)
        while day < local.date():
            assert not working.is_working_day(day)
            day += timedelta(days=1)


@given(now=instants, week=weeks, span=hours, holidays=holiday_sets)
def test_open_means_a_working_day_within_the_hours(
    now: datetime, week: frozenset[int], span: list[int], holidays: frozenset[date]
) -> None:
    working = working_time(week, span, holidays)
    local = now.astimezone(TEHRAN)
    expected = (
        local.weekday() in week
        and local.date() not in holidays
        and time(span[0]) <= local.time().replace(tzinfo=None) < time(span[1])
    )
    assert working.is_open(now) == expected


@given(day=st.dates(date(2025, 1, 1), date(2030, 12, 31)), week=weeks, holidays=holiday_sets)
def test_next_working_day_skips_exactly_the_closed_days(
    day: date, week: frozenset[int], holidays: frozenset[date]
) -> None:
    working = working_time(week, [9, 18], holidays)
    found = working.next_working_day(day)
    assert found > day
    assert found.weekday() in week and found not in holidays
    between = [day + timedelta(days=n) for n in range(1, (found - day).days)]
    assert all(d.weekday() not in week or d in holidays for d in between)


@given(day=st.dates(date(2025, 1, 1), date(2030, 12, 31)))
def test_under_the_default_week_a_friday_is_never_a_working_day(day: date) -> None:
    if day.weekday() == 4:
        assert not IRAN.is_working_day(day)
    assert IRAN.next_working_day(day).weekday() != 4


def test_a_calendar_with_no_working_day_in_sight_is_a_mistake() -> None:
    always_closed = FixedHolidays(frozenset(date(2027, 1, 1) + timedelta(n) for n in range(100)))
    working = WorkingTime(SAT_THU, NINE_TO_SIX, TEHRAN, always_closed)
    with pytest.raises(ValueError, match="no working day"):
        working.next_working_day(date(2027, 1, 1))
    with pytest.raises(ValueError, match="at least one working day"):
        WorkingTime(frozenset(), NINE_TO_SIX, TEHRAN)
