"""What the guided /enrol asks at each step, with its buttons, and the summary staff confirm.

Button data is `enrol:<nonce>:<field>:<value>`: the nonce names the conversation (so a button
from an earlier one is recognised), the field says which question it answers. Every value is
checked again when pressed (care.enrol_draft), so a forged button changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from care.areas import TREATMENT_AREAS, area_label
from care.dates import both_calendars_label
from care.enrol_draft import LANGUAGE_NAMES, SKIP, EnrolDraft, Field
from care.enrol_input import DEFAULT_INTERVAL_DAYS, MAX_INTERVAL_DAYS, MAX_SESSIONS
from care.working_time import WorkingTime

SUMMARY = "summary"  # the field of the Confirm / Edit / Cancel buttons
EDIT = "edit"  # the field of the buttons that pick what to change
CONFIRM, CHANGE, CANCEL, BACK = "confirm", "change", "cancel", "back"
DAYS_OFFERED = 7
TIME_SLOTS = tuple(time(hour) for hour in range(9, 21))
INTERVALS_OFFERED = (7, 14, 21, 28)

_BUTTON = re.compile(r"^enrol:([0-9a-f]{6}):([a-z]{2,8}):([A-Za-z0-9_-]{1,16})$")
_CANCEL_HINT = "(/cancel stops without saving anything)"


@dataclass(frozen=True)
class EnrolButton:
    nonce: str
    field: str
    value: str


def read_button(data: str | None) -> EnrolButton | None:
    match = _BUTTON.match(data or "")
    return EnrolButton(match[1], match[2], match[3]) if match else None


def button_pattern(field: str) -> str:
    return rf"^enrol:[0-9a-f]{{6}}:{field}:"


def question(
    field: Field | str, draft: EnrolDraft, *, now: datetime, tz: ZoneInfo, working: WorkingTime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons that ask for `field` (or show the summary, or the edit choices)."""
    if field == Field.DAY:
        return _ask_day(draft, now, working)
    if field == SUMMARY:
        return summary(draft, tz), _rows(draft, SUMMARY, _SUMMARY_CHOICES, per_row=3)
    if field == EDIT:
        return "What would you like to change?", _rows(draft, EDIT, _EDIT_CHOICES, per_row=3)
    return _ASK[Field(field)](draft, now, tz)


def summary(draft: EnrolDraft, tz: ZoneInfo) -> str:
    assert draft.day is not None and draft.at is not None
    course = str(draft.session_count)
    if draft.session_count > 1:
        course += (
            f", every {draft.interval_days} days "
            f"(the last on {both_calendars_label(draft.last_day())})"
        )
    return "\n".join(
        [
            "Please check, then confirm:",
            f"Name: {draft.full_name}",
            f"First session: {both_calendars_label(draft.day)}, {draft.at:%H:%M} clinic time",
            f"Area: {area_label(draft.area)}",
            f"Sessions: {course}",
            f"Phone: {draft.phone or 'not given'}",
            f"Patient's language: {LANGUAGE_NAMES[draft.language]}",
        ]
    )


EDIT_LABELS: dict[str, str] = {
    Field.NAME: "Name",
    Field.DAY: "Date",
    Field.TIME: "Time",
    Field.AREA: "Area",
    Field.COUNT: "Sessions",
    Field.PHONE: "Phone",
    Field.LANGUAGE: "Language",
}
_EDIT_CHOICES = [
    *((label, value) for value, label in EDIT_LABELS.items()),
    ("Back to the summary", BACK),
]
_SUMMARY_CHOICES = [("✅ Confirm", CONFIRM), ("✏️ Edit", CHANGE), ("✖️ Cancel", CANCEL)]


def _ask_name(draft: EnrolDraft, now: datetime, tz: ZoneInfo) -> tuple[str, None]:
    opening = "New patient. " if draft.full_name is None else ""
    return f"{opening}What is the patient's full name?\n{_CANCEL_HINT}", None


GUIDED_FIX = "The date is kept; if it is a mistake, change it with Edit at the summary."


def closed_day_note(day: date, working: WorkingTime, fix: str = GUIDED_FIX) -> str | None:
    """A warning, then `fix`, when the clinic is closed on `day` (a weekday off or an official
    holiday). Only a warning: staff may know better (an extra opening)."""
    why = working.closed_because(day)
    if why is None:
        return None
    return f"⚠️ The clinic is closed on {both_calendars_label(day)} ({why}). {fix}"


def _ask_day(
    draft: EnrolDraft, now: datetime, working: WorkingTime
) -> tuple[str, InlineKeyboardMarkup]:
    """The next DAYS_OFFERED working days, from today; a closed day can still be typed."""
    today = now.astimezone(working.tz).date()
    first = today if working.is_working_day(today) else working.next_working_day(today)
    days = [first]
    while len(days) < DAYS_OFFERED:
        days.append(working.next_working_day(days[-1]))
    choices = [(both_calendars_label(day, with_year=False), day.isoformat()) for day in days]
    text = (
        "Date of the first session? Pick a day, or type a date: 2026-12-05, "
        "or Solar Hijri 1405-09-14 (Persian digits are fine)."
    )
    return text, _rows(draft, Field.DAY, choices, per_row=2)


def _ask_time(
    draft: EnrolDraft, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    local_now = now.astimezone(tz)
    slots = [
        slot for slot in TIME_SLOTS if draft.day != local_now.date() or slot > local_now.time()
    ]
    day = both_calendars_label(draft.day) if draft.day else "that day"
    text = f"Time on {day}, clinic time? Pick one, or type it as HH:MM, e.g. 14:30."
    choices = [(f"{slot:%H:%M}", f"{slot:%H%M}") for slot in slots]
    return text, _rows(draft, Field.TIME, choices, per_row=4) if choices else None


def _ask_area(draft: EnrolDraft, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    choices = list((label, key) for key, label in TREATMENT_AREAS.items())
    return "Treatment area?", _rows(draft, Field.AREA, choices, per_row=3)


def _ask_count(draft: EnrolDraft, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(str(n), str(n)) for n in range(1, MAX_SESSIONS + 1)]
    text = (
        f"How many sessions in the course? Pick or type 1 to {MAX_SESSIONS} "
        "(1 for a single session)."
    )
    return text, _rows(draft, Field.COUNT, choices, per_row=5)


def _ask_every(draft: EnrolDraft, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    choices = [
        (f"{days} days" + (" (default)" if days == DEFAULT_INTERVAL_DAYS else ""), str(days))
        for days in INTERVALS_OFFERED
    ]
    text = (
        f"How many days between sessions? Pick one, or type 1 to {MAX_INTERVAL_DAYS}. "
        "Each session can be moved later on its own."
    )
    return text, _rows(draft, Field.EVERY, choices, per_row=2)


def _ask_phone(draft: EnrolDraft, now: datetime, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    text = "The patient's phone number, for the clinic to call? Type it, or press Skip."
    return text, _rows(draft, Field.PHONE, [("Skip", SKIP)], per_row=1)


def _ask_language(
    draft: EnrolDraft, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(name, key) for key, name in LANGUAGE_NAMES.items()]
    return "In which language should the patient get messages?", _rows(
        draft, Field.LANGUAGE, choices, per_row=2
    )


_ASK = {  # the day is asked apart (question()): its buttons need the working days
    Field.NAME: _ask_name,
    Field.TIME: _ask_time,
    Field.AREA: _ask_area,
    Field.COUNT: _ask_count,
    Field.EVERY: _ask_every,
    Field.PHONE: _ask_phone,
    Field.LANGUAGE: _ask_language,
}


def _rows(
    draft: EnrolDraft, field: str, choices: Sequence[tuple[str, str]], *, per_row: int
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=f"enrol:{draft.nonce}:{field}:{value}")
        for label, value in choices
    ]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])
