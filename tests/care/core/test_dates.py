import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.core.dates import (
    GREGORIAN_YEARS,
    JALALI_MONTHS_EN,
    JALALI_MONTHS_FA,
    JALALI_YEARS,
    WEEKDAYS_FA,
    DateInputError,
    add_months,
    format_both_calendars,
    format_date,
    format_time,
    iso_local,
    parse_date,
    parse_local_datetime,
    parse_time,
)
from care.core.text_input import ZWNJ, normalize_digits, to_persian_digits
from tests.problems import said

TEHRAN = ZoneInfo("Asia/Tehran")
BERLIN = ZoneInfo("Europe/Berlin")
FIRST_JALALI_DAY: date = jdatetime.date(JALALI_YEARS.start, 1, 1).togregorian()
LAST_JALALI_DAY: date = jdatetime.date(JALALI_YEARS.stop, 1, 1).togregorian() - timedelta(days=1)


def jalali_days(first_year: int, last_year: int) -> Iterator[jdatetime.date]:
    day = jdatetime.date(first_year, 1, 1)
    while day.year <= last_year:
        yield day
        day += timedelta(days=1)


def jalali_weekday(j: jdatetime.date) -> str:
    """jdatetime's own Persian name for the day (its jweekday() follows the locale)."""
    name: str = jdatetime.date.j_weekdays_fa[j.weekday()]
    return name


def jalali_text(j: jdatetime.date) -> str:
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


# --- names ---------------------------------------------------------------------------------


def test_month_names_match_jdatetime() -> None:
    assert list(JALALI_MONTHS_FA) == list(jdatetime.date.j_months_fa)
    assert list(JALALI_MONTHS_EN) == list(jdatetime.date.j_months_en)


def test_weekday_names_follow_python_weekday_numbers() -> None:
    week = [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
    for day in week:
        jalali_name = jalali_weekday(jdatetime.date.fromgregorian(date=day))
        # jdatetime writes یک‌شنبه and پنج‌شنبه with ZWNJ; we use the joined spelling.
        assert WEEKDAYS_FA[day.weekday()].replace(ZWNJ, "") == jalali_name.replace(ZWNJ, "")
    assert WEEKDAYS_FA[date(2026, 12, 5).weekday()] == "شنبه"  # a Saturday
    assert WEEKDAYS_FA[date(2026, 12, 4).weekday()] == "جمعه"  # a Friday


# --- parse_date ------------------------------------------------------------------------------


def test_every_jalali_day_of_1399_to_1410_parses_as_jdatetime_converts_it() -> None:
    for j in jalali_days(1399, 1410):
        assert parse_date(jalali_text(j)) == j.togregorian(), jalali_text(j)


def test_every_jalali_day_of_1399_to_1410_displays_back_in_persian() -> None:
    months = {name: number for number, name in enumerate(JALALI_MONTHS_FA, start=1)}
    for j in jalali_days(1399, 1410):
        shown = format_date(j.togregorian(), "fa")
        weekday, day, month, year = shown.rsplit(" ", 3)
        assert not re.search("[0-9]", shown), shown
        back = jdatetime.date(
            int(normalize_digits(year)), months[month], int(normalize_digits(day))
        )
        assert back == j, shown
        assert weekday.replace(ZWNJ, "") == jalali_weekday(j).replace(ZWNJ, ""), shown


def test_esfand_30_only_in_jalali_leap_years() -> None:
    assert jdatetime.date(1403, 1, 1).isleap()
    assert not jdatetime.date(1404, 1, 1).isleap()
    assert parse_date("1403-12-30") == jdatetime.date(1403, 12, 30).togregorian()
    with pytest.raises(DateInputError) as caught:
        parse_date("1404-12-30")
    assert re.search("Esfand 1404 has 29 days", said(caught.value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("2026/12/05", date(2026, 12, 5)),
        ("2026-1-5", date(2026, 1, 5)),
        ("  2026-12-05 ", date(2026, 12, 5)),
        ("1405-09-14", date(2026, 12, 5)),
        ("۱۴۰۵-۰۹-۱۴", date(2026, 12, 5)),
        ("۱۴۰۵/۰۹/۱۴", date(2026, 12, 5)),
        ("١٤٠٥-٠٩-١٤", date(2026, 12, 5)),
        ("٢٠٢٦/١٢/٠٥", date(2026, 12, 5)),
        ("\u200f۱۴۰۵/۹/۱۴\u200e", date(2026, 12, 5)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2199-12-31", date(2199, 12, 31)),
        ("1300-01-01", date(1921, 3, 21)),
    ],
)
def test_parse_date_reads_both_calendars_and_any_digits(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("2026-04-31", "April 2026 has 30 days"),
        ("1405-07-31", "Mehr 1405 has 30 days"),
        ("1405-13-01", "no month 13"),
        ("2026-00-10", "no month 00"),
        ("2026-05-00", "days start at 01"),
        ("tomorrow", '"tomorrow" is not a date'),
        ("", "No date was given"),
        ("   ", "No date was given"),
        ("1000-01-01", "year 1000 is out of range"),
        ("2500-01-01", "year 2500 is out of range"),
        ("0999-01-01", "year 0999 is out of range"),
        ("1600-01-01", "year 1600 is out of range"),
        ("05-12-2026", "is not a date"),
        ("2026-12/05", "is not a date"),
        ("2026-12-05 10:00", "is not a date"),
        ("12026-12-05", "is not a date"),
    ],
)
def test_parse_date_refuses_with_a_reason_and_an_example(text: str, reason: str) -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date(text)
    message = said(caught.value)
    assert reason in message
    assert "e.g. 2026-12-05" in message


def test_parse_date_shortens_long_junk_in_its_message() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date("x" * 500)
    assert len(said(caught.value)) < 200


@given(st.dates(date(GREGORIAN_YEARS.start, 1, 1), date(GREGORIAN_YEARS.stop - 1, 12, 31)))
def test_parse_date_reads_any_gregorian_date(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(to_persian_digits(day.isoformat().replace("-", "/"))) == day


@given(st.dates(FIRST_JALALI_DAY, LAST_JALALI_DAY))
def test_parse_date_reads_any_jalali_date(day: date) -> None:
    text = jalali_text(jdatetime.date.fromgregorian(date=day))
    assert parse_date(text) == day
    assert parse_date(to_persian_digits(text)) == day


@given(st.text() | st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩-/: \u200f", max_size=12))
def test_parse_date_fails_only_with_date_input_error(text: str) -> None:
    try:
        parse_date(text)
    except DateInputError as refused:
        assert "e.g." in said(refused)


# --- parse_time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("۱۴:۳۰", time(14, 30)),
        ("١٤:٣٠", time(14, 30)),
        (" 08:00\u200f", time(8, 0)),
    ],
)
def test_parse_time_reads_24_hour_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("24:00", "midnight is 00:00"),
        ("۲۴:۰۰", "midnight is 00:00"),
        ("12:60", "minutes run from 00 to 59"),
        ("25:00", "hours run from 00 to 23"),
        ("2pm", '"2pm" is not a time'),
        ("14.30", "is not a time"),
        ("14:3", "is not a time"),
        ("", "No time was given"),
    ],
)
def test_parse_time_refuses_with_a_reason_and_an_example(text: str, reason: str) -> None:
    with pytest.raises(DateInputError) as caught:
        parse_time(text)
    message = said(caught.value)
    assert reason in message
    assert "e.g. 09:30" in message


@given(st.times())
def test_parse_time_reads_any_minute(moment: time) -> None:
    expected = moment.replace(second=0, microsecond=0)
    assert parse_time(f"{moment.hour}:{moment.minute:02d}") == expected
    assert parse_time(to_persian_digits(f"{moment:%H:%M}")) == expected


@given(st.text() | st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹:. ", max_size=6))
def test_parse_time_fails_only_with_date_input_error(text: str) -> None:
    try:
        parse_time(text)
    except DateInputError as refused:
        assert "e.g." in said(refused)


# --- parse_local_datetime ---------------------------------------------------------------------


def test_parse_local_datetime_returns_utc() -> None:
    at = parse_local_datetime("۱۴۰۵/۰۹/۱۱", "۱۴:۳۰", TEHRAN)
    assert at == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert at.utcoffset() == timedelta(0)


def test_parse_local_datetime_refuses_a_time_skipped_by_the_clocks() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_local_datetime("2026-03-29", "02:30", BERLIN)
    assert re.search("does not exist in Europe/Berlin", said(caught.value))
    assert "e.g. 03:30" in said(caught.value)


def test_parse_local_datetime_refuses_a_time_skipped_by_iran_summer_time_before_2022() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_local_datetime("1400-01-02", "00:30", TEHRAN)
    assert re.search("Asia/Tehran", said(caught.value))


def test_parse_local_datetime_takes_the_first_of_two_repeated_times() -> None:
    at = parse_local_datetime("2026-10-25", "02:30", BERLIN)
    assert at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still summer time, UTC+2


@pytest.mark.parametrize("zone", ["Asia/Tehran", "Europe/Berlin", "America/New_York"])
@given(moment=st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)))
def test_parse_local_datetime_keeps_the_wall_clock_or_refuses(zone: str, moment: datetime) -> None:
    tz = ZoneInfo(zone)
    try:
        at = parse_local_datetime(moment.date().isoformat(), f"{moment:%H:%M}", tz)
    except DateInputError as refused:
        assert "does not exist" in said(refused)
        return
    assert at.tzinfo is UTC
    assert iso_local(at, tz) == f"{moment:%Y-%m-%d %H:%M}"


# --- display ----------------------------------------------------------------------------------


def test_format_date_in_both_languages() -> None:
    assert format_date(date(2026, 12, 2), "fa") == "چهارشنبه ۱۱ آذر ۱۴۰۵"
    assert format_date(date(2026, 12, 2), "en") == "Wed 2 Dec 2026"
    assert format_date(date(2025, 3, 20), "fa") == "پنجشنبه ۳۰ اسفند ۱۴۰۳"
    assert format_date(date(2026, 9, 1), "en") == "Tue 1 Sep 2026"


def test_format_time_in_both_languages() -> None:
    assert format_time(time(14, 30), "fa") == "۱۴:۳۰"
    assert format_time(time(7, 5), "en") == "07:05"


def test_formatters_refuse_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="'de'"):
        format_date(date(2026, 1, 1), "de")
    with pytest.raises(ValueError, match="'de'"):
        format_time(time(1, 0), "de")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        iso_local(datetime(2026, 12, 2, 11, 0), TEHRAN)


def test_iso_local_for_staff_listings() -> None:
    assert iso_local(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), TEHRAN) == "2026-12-02 14:30"


def test_format_both_calendars() -> None:
    assert format_both_calendars(date(2026, 12, 2)) == "2026-12-02 (1405-09-11)"
    assert format_both_calendars(date(2025, 3, 20)) == "2025-03-20 (1403-12-30)"


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 2), 6, date(2027, 6, 2)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 31), 0, date(2026, 1, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@given(st.dates(date(1900, 1, 1), date(2199, 12, 31)), st.integers(-240, 240))
def test_add_months_moves_whole_months(start: date, months: int) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day <= start.day
    if start.day <= 28:
        assert moved.day == start.day
    else:
        assert moved.day == start.day or (moved + timedelta(days=1)).day == 1


def test_a_solar_hijri_month_may_be_typed_by_name() -> None:
    """«۱۴ آذر» as staff write it in the diary: with the year, or the next such day."""
    assert parse_date("۱۴ آذر ۱۴۰۵") == date(2026, 12, 5)
    assert parse_date("14 Azar 1405") == date(2026, 12, 5)
    assert parse_date("۱۴ آذر", date(2026, 12, 1)) == date(2026, 12, 5)
    assert parse_date("۱۴ آذر", date(2026, 12, 6)) == date(2027, 12, 5)  # passed: next year
    assert parse_date("1 اسفند", date(2026, 12, 6)) == jdatetime.date(1405, 12, 1).togregorian()
    with pytest.raises(DateInputError) as caught:
        parse_date("۱۴ آذر")
    assert caught.value.code == "date_needs_year"
    with pytest.raises(DateInputError) as caught:
        parse_date("۳۱ آذر ۱۴۰۵")
    assert said(caught.value, "fa") == (
        "۳۱ آذر ۱۴۰۵ تاریخ درستی نیست: آذر ۱۴۰۵ ۳۰ روز دارد. مثلاً ۱۴۰۵-۰۹-۱۴."
    )


def test_a_date_error_is_a_code_and_values_worded_at_the_edge() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date("1404-12-30")
    assert caught.value.code == "date_bad_day"
    assert caught.value.values["days"] == 29
    assert "Esfand 1404 has 29 days" in said(caught.value)
    assert "اسفند ۱۴۰۴ ۲۹ روز دارد" in said(caught.value, "fa")
