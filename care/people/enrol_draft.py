"""A booking being put together one answer at a time (the guided /enrol), before it is confirmed.

Each answer, typed or picked from a button, goes through `answer_typed` or `answer_picked`, which
check it and store it in the draft (the bot shows it back from there); a bad answer raises
EnrolInputError with a code saying what to give instead and leaves the draft unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from care.core.dates import DateInputError, local_instant, parse_date, parse_time
from care.core.languages import LANGUAGES
from care.core.text_input import InvalidName, InvalidPhone, clean_name, clean_phone
from care.people.areas import TREATMENT_AREAS
from care.people.enrol_input import (
    DEFAULT_INTERVAL_DAYS,
    EnrolInputError,
    check_day,
    check_start,
    parse_interval_days,
    parse_session_count,
)
from care.people.enrolment import Booking

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
        raise error.recoded(EnrolInputError) from None


def answer_typed(
    draft: EnrolDraft, field: Field, text: str, *, now: datetime, tz: ZoneInfo
) -> None:
    """Store what staff typed for `field` (the edge shows it back from the draft)."""
    try:
        if field is Field.NAME:
            draft.full_name = clean_name(text)
            return
        if field is Field.DAY:
            _set_day(draft, parse_date(text, now.astimezone(tz).date()), now=now, tz=tz)
            return
        if field is Field.TIME:
            _set_time(draft, parse_time(text), now=now, tz=tz)
            return
        if field is Field.COUNT:
            draft.session_count = parse_session_count(text)
            return
        if field is Field.EVERY:
            draft.interval_days = parse_interval_days(text)
            return
        if field is Field.PHONE:
            draft.phone = clean_phone(text)
            return
    except (DateInputError, InvalidName, InvalidPhone) as error:
        raise error.recoded(EnrolInputError) from None
    raise EnrolInputError("use_buttons")


def answer_picked(
    draft: EnrolDraft, field: Field, value: str, *, now: datetime, tz: ZoneInfo
) -> None:
    """Store the value of a pressed button for `field`.

    The value comes from a button, but is checked as if typed: a button can be forged, or
    pressed after midnight turned its day into the past."""
    if field is Field.DAY and _PICKED_DAY.fullmatch(value):
        answer_typed(draft, field, value, now=now, tz=tz)
    elif field is Field.TIME and (match := _PICKED_TIME.fullmatch(value)):
        answer_typed(draft, field, f"{match[1]}:{match[2]}", now=now, tz=tz)
    elif field in (Field.COUNT, Field.EVERY) and value.isascii() and value.isdigit():
        answer_typed(draft, field, value, now=now, tz=tz)
    elif field is Field.AREA and value in TREATMENT_AREAS:
        draft.area = value
    elif field is Field.PHONE and value == SKIP:
        draft.phone = None
    elif field is Field.LANGUAGE and value in LANGUAGES:
        draft.language = value
    else:
        raise EnrolInputError("button_not_offered")


def _set_day(draft: EnrolDraft, day: date, *, now: datetime, tz: ZoneInfo) -> None:
    check_day(day, now.astimezone(tz).date())
    draft.day = day


def _set_time(draft: EnrolDraft, at: time, *, now: datetime, tz: ZoneInfo) -> None:
    previous = draft.at
    draft.at = at
    try:
        check_draft_start(draft, now=now, tz=tz)
    except EnrolInputError:
        draft.at = previous
        raise
