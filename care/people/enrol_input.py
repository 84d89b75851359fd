"""Checking what staff give when enrolling: when the course starts, how long it runs."""

from __future__ import annotations

from datetime import date, datetime

from care.core.problems import Problem
from care.core.text_input import normalize_digits
from care.schedule.horizon import BOOKING_HORIZON

MAX_SESSIONS = 10
DEFAULT_INTERVAL_DAYS = 14
MAX_INTERVAL_DAYS = 60


class EnrolInputError(Problem):
    """What staff gave cannot be enrolled: a code under [problems] and its values."""


def check_day(day: date, today: date) -> None:
    """The first session's date: today or later, and within BOOKING_HORIZON."""
    if day < today:
        raise EnrolInputError("day_passed", day=day)
    if day - today > BOOKING_HORIZON:
        raise EnrolInputError("day_too_far", day=day, days=BOOKING_HORIZON.days)


def check_start(starts_at: datetime, now: datetime) -> None:
    """The first session starts after `now` and within BOOKING_HORIZON."""
    if starts_at <= now:
        raise EnrolInputError("time_passed")
    if starts_at - now > BOOKING_HORIZON:
        raise EnrolInputError("time_too_far", days=BOOKING_HORIZON.days)


def parse_session_count(text: str) -> int:
    """How many sessions the course has, 1 to MAX_SESSIONS, in any digits."""
    return _whole_number(text, high=MAX_SESSIONS, code="bad_session_count")


def parse_interval_days(text: str) -> int:
    """Days between two sessions of a course, 1 to MAX_INTERVAL_DAYS, in any digits."""
    return _whole_number(text, high=MAX_INTERVAL_DAYS, code="bad_interval")


def _whole_number(text: str, *, high: int, code: str) -> int:
    digits = normalize_digits(text).strip()
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= high:
        raise EnrolInputError(code, high=high)
    return int(digits)
