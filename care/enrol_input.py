"""Checking what staff give when enrolling: when the course starts, how long it runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from care.text_input import normalize_digits

FURTHEST_AHEAD = timedelta(days=400)
MAX_SESSIONS = 10
DEFAULT_INTERVAL_DAYS = 14
MAX_INTERVAL_DAYS = 60


class EnrolInputError(ValueError):
    """What staff gave cannot be enrolled; `str()` says why and what to give instead."""


def check_day(day: date, today: date) -> None:
    """The first session's date: today or later, and within FURTHEST_AHEAD."""
    if day < today:
        raise EnrolInputError(
            f"{day.isoformat()} has already passed. Give today's date or a later one."
        )
    if day - today > FURTHEST_AHEAD:
        raise EnrolInputError(
            f"{day.isoformat()} is more than {FURTHEST_AHEAD.days} days away; "
            "please check the year and give the date again."
        )


def check_start(starts_at: datetime, now: datetime) -> None:
    """The first session starts after `now` and within FURTHEST_AHEAD."""
    if starts_at <= now:
        raise EnrolInputError("That time has already passed. Give a time later than now.")
    if starts_at - now > FURTHEST_AHEAD:
        raise EnrolInputError(
            f"That is more than {FURTHEST_AHEAD.days} days away; please check the year."
        )


def parse_session_count(text: str) -> int:
    """How many sessions the course has, 1 to MAX_SESSIONS, in any digits."""
    return _whole_number(
        text,
        high=MAX_SESSIONS,
        what=f"The number of sessions is a whole number from 1 to {MAX_SESSIONS}, e.g. 4.",
    )


def parse_interval_days(text: str) -> int:
    """Days between two sessions of a course, 1 to MAX_INTERVAL_DAYS, in any digits."""
    return _whole_number(
        text,
        high=MAX_INTERVAL_DAYS,
        what=f"The days between sessions are a whole number from 1 to {MAX_INTERVAL_DAYS}, "
        "e.g. 14.",
    )


def _whole_number(text: str, *, high: int, what: str) -> int:
    digits = normalize_digits(text).strip()
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= high:
        raise EnrolInputError(what)
    return int(digits)
