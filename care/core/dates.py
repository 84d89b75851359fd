"""Dates and times as staff type them (Gregorian or Solar Hijri) and as people read them."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import jdatetime

from care.core.problems import MonthName, Problem
from care.core.text_input import normalize_digits, normalize_letters, to_persian_digits

GREGORIAN_YEARS = range(1900, 2200)
JALALI_YEARS = range(1300, 1500)

JALALI_MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
JALALI_MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
GREGORIAN_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
GREGORIAN_MONTHS_FA = (
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
)
# Indexed by Python's date.weekday(): Monday is 0. The Persian week starts on Saturday.
WEEKDAYS_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_DATE_SHAPE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_TIME_SHAPE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# "14 Azar", "۱۴ آذر ۱۴۰۵": a day and a Solar Hijri month by name, the year optional.
_NAMED_SHAPE = re.compile(r"([0-9]{1,2}) +(\S+)(?: +([0-9]{4}))?")
_ECHO_LIMIT = 30


class DateInputError(Problem):
    """A typed date or time that cannot be used: a code under [problems] and its values."""


def month_number(word: str) -> int | None:
    """A Solar Hijri month typed by name, in Persian or in English; None if it is not one."""
    folded = normalize_letters(word).replace("\u200c", "").casefold()
    for names in (JALALI_MONTHS_FA, JALALI_MONTHS_EN):
        for number, name in enumerate(names, start=1):
            if folded == name.replace("\u200c", "").casefold():
                return number
    return None


def parse_date(text: str, today: date | None = None) -> date:
    """A Gregorian date from YYYY-MM-DD or YYYY/MM/DD; years 1300-1499 are read as Solar Hijri.
    A Solar Hijri month by name works too ("14 Azar 1405", «۱۴ آذر»): without a year, the next
    such day on or after `today`."""
    typed = _prepare(text)
    if not typed:
        raise DateInputError("date_missing")
    named = _NAMED_SHAPE.fullmatch(typed)
    if named is not None and (month := month_number(named[2])) is not None:
        return _named_jalali(typed, int(named[1]), month, named[3], today)
    match = _DATE_SHAPE.fullmatch(typed)
    if match is None:
        raise DateInputError("date_unreadable", typed=_echo(typed))
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if year in JALALI_YEARS:
        return _jalali_to_gregorian(typed, year, month, day)
    if year in GREGORIAN_YEARS:
        return _gregorian(typed, year, month, day)
    raise DateInputError("year_out_of_range", year=match[1])


def _named_jalali(typed: str, day: int, month: int, year: str | None, today: date | None) -> date:
    if year is not None:
        if int(year) not in JALALI_YEARS:
            raise DateInputError("year_out_of_range", year=year)
        return _jalali_to_gregorian(typed, int(year), month, day)
    if today is None:
        raise DateInputError("date_needs_year", typed=_echo(typed))
    this_year = jdatetime.date.fromgregorian(date=today).year
    found = _jalali_to_gregorian(typed, this_year, month, day)
    return found if found >= today else _jalali_to_gregorian(typed, this_year + 1, month, day)


def parse_time(text: str) -> time:
    """A wall-clock time from HH:MM or H:MM (any digits), 00:00 to 23:59."""
    typed = _prepare(text)
    if not typed:
        raise DateInputError("time_missing")
    match = _TIME_SHAPE.fullmatch(typed)
    if match is None:
        raise DateInputError("time_unreadable", typed=_echo(typed))
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        raise DateInputError("time_midnight")
    if hour > 23:
        raise DateInputError("time_bad_hour", typed=typed)
    if minute > 59:
        raise DateInputError("time_bad_minute", typed=typed)
    return time(hour, minute)


def parse_local_datetime(date_text: str, time_text: str, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the clocks in `tz` show the typed date and time.

    A time that occurs twice (clocks going back) is taken at its first occurrence (fold=0).
    A time that never occurs (clocks jumping forward) is refused with DateInputError.
    """
    return local_instant(parse_date(date_text), parse_time(time_text), tz)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the clocks in `tz` show `day` at `at`; see parse_local_datetime."""
    local = datetime.combine(day, at, tzinfo=tz)
    instant = local.astimezone(UTC)
    shown = instant.astimezone(tz)
    if shown.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DateInputError(
            "time_skipped", typed=f"{local:%Y-%m-%d %H:%M}", zone=str(tz), example=f"{shown:%H:%M}"
        )
    return instant


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months, clamped to the end of a shorter month.

    31 August + 6 months is 28 or 29 February; 31 March + 1 month is 30 April.
    """
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def format_date(d: date, lang: str) -> str:
    """Solar Hijri for "fa" ("چهارشنبه ۱۱ آذر ۱۴۰۵"), Gregorian for "en" ("Wed 2 Dec 2026")."""
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=d)
        text = f"{WEEKDAYS_FA[d.weekday()]} {j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}"
        return to_persian_digits(text)
    if lang == "en":
        return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {GREGORIAN_MONTHS_EN[d.month - 1][:3]} {d.year}"
    raise ValueError(f"unknown language {lang!r}: expected 'fa' or 'en'")


def format_time(t: time, lang: str) -> str:
    """Zero-padded 24-hour time: "۱۴:۳۰" for "fa", "14:30" for "en"."""
    text = f"{t.hour:02d}:{t.minute:02d}"
    if lang == "fa":
        return to_persian_digits(text)
    if lang == "en":
        return text
    raise ValueError(f"unknown language {lang!r}: expected 'fa' or 'en'")


def format_both_calendars(d: date) -> str:
    """For staff: "2026-12-02 (1405-09-11)", Gregorian then Solar Hijri."""
    j = jdatetime.date.fromgregorian(date=d)
    return f"{d.isoformat()} ({j.year:04d}-{j.month:02d}-{j.day:02d})"


def both_calendars_label(d: date, *, with_year: bool = True) -> str:
    """For staff, in words: "Sun 13 Dec 2026 · 22 Azar 1405" (or without the years)."""
    j = jdatetime.date.fromgregorian(date=d)
    gregorian = f"{WEEKDAYS_EN[d.weekday()]} {d.day} {GREGORIAN_MONTHS_EN[d.month - 1][:3]}"
    jalali = f"{j.day} {JALALI_MONTHS_EN[j.month - 1]}"
    if with_year:
        return f"{gregorian} {d.year} · {jalali} {j.year}"
    return f"{gregorian} · {jalali}"


def staff_day(d: date, lang: str, *, with_year: bool = True) -> str:
    """For staff: «شنبه ۲۹ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۲۰)», Solar Hijri first and the Gregorian date in
    brackets as a diary writes it; "Sun 20 Dec 2026 · 29 Azar 1405" in English."""
    if lang != "fa":
        return both_calendars_label(d, with_year=with_year)
    shown = format_date(d, "fa")
    if not with_year:
        return shown.rsplit(" ", 1)[0]
    return f"{shown} ({to_persian_digits(d.isoformat())})"


def staff_when(at_utc: datetime, tz: ZoneInfo, lang: str) -> str:
    """For staff, an instant on the clinic's clocks: «شنبه ۲۹ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۲۰)، ساعت ۱۵:۰۰»;
    "2026-12-20 15:00" in English, the compact form English lists sort by."""
    if lang != "fa":
        return iso_local(at_utc, tz)
    local = _aware(at_utc).astimezone(tz)
    return f"{staff_day(local.date(), 'fa')}، ساعت {format_time(local.time(), 'fa')}"


def month_name(month: MonthName, lang: str) -> str:
    """ "Esfand 1404", «اسفند ۱۴۰۴», "February 2026": a month of a year in either calendar."""
    jalali = month.calendar == "jalali"
    if lang == "fa":
        names = JALALI_MONTHS_FA if jalali else GREGORIAN_MONTHS_FA
        return to_persian_digits(f"{names[month.month - 1]} {month.year}")
    names = JALALI_MONTHS_EN if jalali else GREGORIAN_MONTHS_EN
    return f"{names[month.month - 1]} {month.year}"


def iso_local(at_utc: datetime, tz: ZoneInfo) -> str:
    """The instant as "YYYY-MM-DD HH:MM" on the clocks in `tz`, for staff listings."""
    local = _aware(at_utc).astimezone(tz)
    return f"{local.date().isoformat()} {local.hour:02d}:{local.minute:02d}"


def _prepare(text: str) -> str:
    """ASCII digits, no invisible direction marks (Telegram clients add them to RTL text)."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return normalize_digits(visible).strip()


def _echo(typed: str) -> str:
    shown = typed if len(typed) <= _ECHO_LIMIT else typed[: _ECHO_LIMIT - 1] + "…"
    return f'"{shown}"'


def _jalali_to_gregorian(typed: str, year: int, month: int, day: int) -> date:
    _check_month(typed, month)
    days = _jalali_month_days(year, month)
    _check_day(typed, day, days, MonthName("jalali", year, month))
    gregorian: date = jdatetime.date(year, month, day).togregorian()
    return gregorian


def _gregorian(typed: str, year: int, month: int, day: int) -> date:
    _check_month(typed, month)
    days = calendar.monthrange(year, month)[1]
    _check_day(typed, day, days, MonthName("gregorian", year, month))
    return date(year, month, day)


def _jalali_month_days(year: int, month: int) -> int:
    """31 days in months 1-6, 30 in 7-11; Esfand has 30 only in a leap year (per jdatetime)."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def _check_month(typed: str, month: int) -> None:
    if not 1 <= month <= 12:
        raise DateInputError("date_bad_month", typed=typed, month=f"{month:02d}")


def _check_day(typed: str, day: int, days_in_month: int, month_name: MonthName) -> None:
    if day == 0:
        raise DateInputError("date_day_zero", typed=typed)
    if day > days_in_month:
        raise DateInputError("date_bad_day", typed=typed, month_name=month_name, days=days_in_month)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a naive datetime has no place in time: give it a timezone (UTC)")
    return at
