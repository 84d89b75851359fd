"""Working time: the clinic's working days, Iran's official holidays and its opening hours.

One place answers "is the clinic open?" and "when does it open next?", for planning the messages
that ask the patient to book or call, for the enrolment's day buttons and for the honest reply
to a tap that needs a person. Holidays come from the `holidays` library's Iran calendar (the
Solar Hijri fixed days and the lunar Islamic ones); see the README for what it covers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from care.core.clock_window import parse_clock_window

# date.weekday() order: Monday is 0.
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# No real week has more than a few closed days in a row (Nowruz and a Friday); a calendar that
# is closed for longer than this is a configuration mistake, not a holiday.
_LONGEST_CLOSURE = timedelta(days=60)


def parse_working_days(text: str) -> frozenset[int]:
    """Read "sat-thu", "sat,sun,mon,tue,wed,thu", "Saturday-Wednesday, fri" (ranges wrap
    round the week) into date.weekday() numbers; ValueError says what to write."""
    days: set[int] = set()
    for part in text.split(","):
        ends = [_weekday(name, text) for name in part.split("-")]
        if len(ends) == 1:
            days.add(ends[0])
        elif len(ends) == 2:
            first, last = ends
            days.update((first + n) % 7 for n in range((last - first) % 7 + 1))
        else:
            raise ValueError(
                f'working days {text!r}: "{part.strip()}" is not a day or a range; '
                'write e.g. "sat-thu" or "sat,sun,mon"'
            )
    return frozenset(days)


def _weekday(name: str, text: str) -> int:
    word = name.strip().lower()
    for number, (key, full) in enumerate(zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True)):
        if word in (key, full):
            return number
    raise ValueError(
        f'working days {text!r}: "{name.strip()}" is not a day; use sat, sun, mon, tue, wed, '
        'thu, fri (or the full names), e.g. "sat-thu"'
    )


@dataclass(frozen=True)
class OpeningHours:
    """The clinic's doors on a working day, [opens, closes) in clinic-local time."""

    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """Read "09:00-18:00" (24-hour clock, the same day)."""
        opens, closes = parse_clock_window(text, what="opening hours", example="09:00-18:00")
        if closes <= opens:
            raise ValueError(f"opening hours {text!r}: the clinic must close after it opens")
        return cls(opens, closes)


class HolidayCalendar(Protocol):
    def holiday_name(self, day: date, lang: str = "en") -> str | None:
        """The holiday's name in `lang` ("fa", "en"), or None on an ordinary day."""


# The `holidays` library's locale for each language the bot speaks; English otherwise.
_HOLIDAY_LOCALES = {"fa": "fa_IR", "en": "en_US"}


@dataclass(frozen=True)
class Closure:
    """Why the clinic is closed on `day`: an official holiday (its name comes from the calendar,
    in the reader's language), or else a weekday it does not work. The words are the reader's:
    the bot renders them from the catalogs."""

    day: date
    holiday: bool


class IranHolidays:
    """Iran's official holidays, computed a year at a time on first use. The delivery thread
    and the event loop both ask, so the cache is filled under a lock."""

    def __init__(self) -> None:
        self._years: dict[tuple[int, str], dict[date, str]] = {}
        self._lock = threading.Lock()

    def holiday_name(self, day: date, lang: str = "en") -> str | None:
        locale = _HOLIDAY_LOCALES.get(lang, _HOLIDAY_LOCALES["en"])
        with self._lock:
            year = self._years.get((day.year, locale))
            if year is None:
                found = holidays.country_holidays("IR", years=day.year, language=locale)
                year = self._years[day.year, locale] = dict(found.items())
        return year.get(day)


@dataclass(frozen=True)
class WorkingTime:
    """When the clinic works: its weekdays, less official holidays, within opening hours."""

    days: frozenset[int]  # date.weekday() numbers
    hours: OpeningHours
    tz: ZoneInfo
    holidays: HolidayCalendar = field(default_factory=IranHolidays, compare=False)

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("the clinic needs at least one working day")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and self.holidays.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day after `day` (never `day` itself)."""
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
            if candidate - day > _LONGEST_CLOSURE:
                raise ValueError(f"the clinic has no working day in the 60 days after {day}")
        return candidate

    def closed_because(self, day: date) -> Closure | None:
        """Why `day` is closed (a holiday first, then a weekday off); None on a working day."""
        if self.holidays.holiday_name(day) is not None:
            return Closure(day, holiday=True)
        if day.weekday() not in self.days:
            return Closure(day, holiday=False)
        return None

    def closure_name(self, closure: Closure, lang: str) -> str | None:
        """The holiday's name in `lang`; None for a weekday off, which the catalogs name."""
        return self.holidays.holiday_name(closure.day, lang) if closure.holiday else None

    def is_open(self, now: datetime) -> bool:
        local = _aware(now).astimezone(self.tz)
        return (
            self.is_working_day(local.date())
            and self.hours.opens <= local.time().replace(tzinfo=None) < self.hours.closes
        )

    def next_opening(self, now: datetime) -> datetime:
        """`now` (in UTC) if the clinic is open, else the moment it next opens."""
        if self.is_open(now):
            return now.astimezone(UTC)
        local = now.astimezone(self.tz)
        day = local.date()
        if not (self.is_working_day(day) and local.time().replace(tzinfo=None) < self.hours.opens):
            day = self.next_working_day(day)
        return datetime.combine(day, self.hours.opens, tzinfo=self.tz).astimezone(UTC)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: every time in Mesocare carries its time zone")
    return at
