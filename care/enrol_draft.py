"""A booking being put together one answer at a time (the guided /enrol), before it is confirmed.

Each answer, typed or picked from a button, goes through `answer_typed` or `answer_picked`, which
check it, store it in the draft and return how to show it back to staff; a bad answer raises
EnrolInputError with a message that says what to give instead and leaves the draft unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from care.areas import TREATMENT_AREAS
from care.dates import DateInputError, both_calendars_label, local_instant, parse_date, parse_time
from care.enrol_input import (
    DEFAULT_INTERVAL_DAYS,
    EnrolInputError,
    check_day,
    check_start,
    parse_interval_days,
    parse_session_count,
)
from care.enrolment import Booking
from care.text_input import InvalidName, InvalidPhone, clean_name, clean_phone

LANGUAGE_NAMES = {"fa": "فارسی", "en": "English"}
SKIP = "skip"
_PICKED_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PICKED_TIME = re.compile(r"([0-9]{2})([0-9]{2})")


class Field(StrEnum):
    NAME = "name"
    DAY = "day"
    TIME = "time"
    AREA = "area"
    COUNT = "count"
    EVERY = "every"
    PHONE = "phone"
    LANGUAGE = "lang"


@dataclass
class EnrolDraft:
    nonce: str  # names this conversation in its buttons, so older buttons can be told apart
    language: str
    full_name: str | None = None
    day: date | None = None
    at: time | None = None
    area: str | None = None
    session_count: int = 1
    interval_days: int = DEFAULT_INTERVAL_DAYS
    phone: str | None = None

    def starts_at(self, tz: ZoneInfo) -> datetime:
        """The first session as a UTC instant; DateInputError if the clocks skip that time."""
        assert self.day is not None and self.at is not None, "asked only once both are known"
        return local_instant(self.day, self.at, tz)

    def booking(self, tz: ZoneInfo) -> Booking:
        assert self.full_name is not None
        return Booking(
            full_name=self.full_name,
            starts_at=self.starts_at(tz),
            language=self.language,
            session_count=self.session_count,
            interval_days=self.interval_days,
            area=self.area,
            phone=self.phone,
        )

    def last_day(self) -> date:
        assert self.day is not None
        return self.day + timedelta(days=self.interval_days * (self.session_count - 1))


def check_draft_start(draft: EnrolDraft, *, now: datetime, tz: ZoneInfo) -> None:
    """The first session, as far as it is known, is still ahead; EnrolInputError if not."""
    if draft.day is None or draft.at is None:
        return
    try:
        check_start(draft.starts_at(tz), now)
    except DateInputError as error:
        raise EnrolInputError(str(error)) from None


def answer_typed(draft: EnrolDraft, field: Field, text: str, *, now: datetime, tz: ZoneInfo) -> str:
    """Store what staff typed for `field`; return it as it will be shown back."""
    try:
        if field is Field.NAME:
            draft.full_name = clean_name(text)
            return draft.full_name
        if field is Field.DAY:
            return _set_day(draft, parse_date(text), now=now, tz=tz)
        if field is Field.TIME:
            return _set_time(draft, parse_time(text), now=now, tz=tz)
        if field is Field.COUNT:
            draft.session_count = parse_session_count(text)
            return str(draft.session_count)
        if field is Field.EVERY:
            draft.interval_days = parse_interval_days(text)
            return f"every {draft.interval_days} days"
        if field is Field.PHONE:
            draft.phone = clean_phone(text)
            return draft.phone
    except (DateInputError, InvalidName, InvalidPhone) as error:
        raise EnrolInputError(str(error)) from None
    raise EnrolInputError("Please choose one of the buttons.")


def answer_picked(
    draft: EnrolDraft, field: Field, value: str, *, now: datetime, tz: ZoneInfo
) -> str:
    """Store the value of a pressed button for `field`; return its label.

    The value comes from a button, but is checked as if typed: a button can be forged, or
    pressed after midnight turned its day into the past."""
    if field is Field.DAY and _PICKED_DAY.fullmatch(value):
        return answer_typed(draft, field, value, now=now, tz=tz)
    if field is Field.TIME and (match := _PICKED_TIME.fullmatch(value)):
        return answer_typed(draft, field, f"{match[1]}:{match[2]}", now=now, tz=tz)
    if field in (Field.COUNT, Field.EVERY) and value.isascii() and value.isdigit():
        return answer_typed(draft, field, value, now=now, tz=tz)
    if field is Field.AREA and value in TREATMENT_AREAS:
        draft.area = value
        return TREATMENT_AREAS[value]
    if field is Field.PHONE and value == SKIP:
        draft.phone = None
        return "no phone"
    if field is Field.LANGUAGE and value in LANGUAGE_NAMES:
        draft.language = value
        return LANGUAGE_NAMES[value]
    raise EnrolInputError("That button is not one I offered. Please use the buttons below.")


def _set_day(draft: EnrolDraft, day: date, *, now: datetime, tz: ZoneInfo) -> str:
    check_day(day, now.astimezone(tz).date())
    draft.day = day
    return both_calendars_label(day)


def _set_time(draft: EnrolDraft, at: time, *, now: datetime, tz: ZoneInfo) -> str:
    previous = draft.at
    draft.at = at
    try:
        check_draft_start(draft, now=now, tz=tz)
    except EnrolInputError:
        draft.at = previous
        raise
    return f"{at:%H:%M}"
