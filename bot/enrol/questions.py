"""What the guided /enrol asks at each step, with its buttons, and the summary staff confirm.

Its buttons' data is read and written by bot/enrol/buttons.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.common.names import area_name, language_name
from bot.common.staff_voice import Voice
from bot.enrol.buttons import EnrolButton, encode
from care.core.languages import LANGUAGES
from care.people.areas import TREATMENT_AREAS
from care.people.enrol_draft import SKIP, EnrolDraft, Field
from care.people.enrol_input import DEFAULT_INTERVAL_DAYS, MAX_INTERVAL_DAYS, MAX_SESSIONS
from care.schedule.working_time import WEEKDAY_KEYS, Closure, WorkingTime

SUMMARY = "summary"  # the field of the Confirm / Edit / Cancel buttons
EDIT = "edit"  # the field of the buttons that pick what to change
CONFIRM, CHANGE, CANCEL, BACK = "confirm", "change", "cancel", "back"
DAYS_OFFERED = 7
TIME_SLOTS = tuple(time(hour) for hour in range(9, 21))
INTERVALS_OFFERED = (7, 14, 21, 28)


def question(
    field: Field | str,
    draft: EnrolDraft,
    voice: Voice,
    *,
    now: datetime,
    working: WorkingTime,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons that ask for `field` (or show the summary, or the edit choices)."""
    if field == Field.DAY:
        return _ask_day(draft, voice, now, working)
    if field == SUMMARY:
        return summary(draft, voice), _rows(draft, SUMMARY, _summary_choices(voice), per_row=3)
    if field == EDIT:
        return voice("enrol.ask_change"), _rows(draft, EDIT, _edit_choices(voice), per_row=3)
    return _ASK[Field(field)](draft, voice, now)


def summary(draft: EnrolDraft, voice: Voice) -> str:
    assert draft.day is not None and draft.at is not None
    course = voice.digits(str(draft.session_count))
    if draft.session_count > 1:
        course = voice(
            "enrol.summary_course",
            count=draft.session_count,
            days=draft.interval_days,
            last=draft.last_day(),
        )
    return voice(
        "enrol.summary",
        patient_name=draft.full_name or "",
        day=draft.day,
        time=draft.at,
        area=area_name(voice, draft.area),
        course=course,
        phone=draft.phone or voice("enrol.not_given"),
        language=language_name(voice, draft.language),
    )


def chosen_label(field: Field, draft: EnrolDraft, voice: Voice) -> str:
    """What a pressed button chose, as shown under its question."""
    if field is Field.DAY and draft.day is not None:
        return voice.day(draft.day)
    if field is Field.TIME and draft.at is not None:
        return voice.clock(draft.at)
    if field is Field.AREA:
        return area_name(voice, draft.area)
    if field is Field.COUNT:
        return voice.digits(str(draft.session_count))
    if field is Field.EVERY:
        return voice("enrol.every_days", days=draft.interval_days)
    if field is Field.PHONE:
        return draft.phone or voice("enrol.no_phone")
    return language_name(voice, draft.language)


EDIT_FIELDS: tuple[str, ...] = (
    Field.NAME,
    Field.DAY,
    Field.TIME,
    Field.AREA,
    Field.COUNT,
    Field.PHONE,
    Field.LANGUAGE,
)
_EDIT_KEYS = {
    Field.NAME: "enrol.edit_name",
    Field.DAY: "enrol.edit_day",
    Field.TIME: "enrol.edit_time",
    Field.AREA: "enrol.edit_area",
    Field.COUNT: "enrol.edit_count",
    Field.PHONE: "enrol.edit_phone",
    Field.LANGUAGE: "enrol.edit_language",
}


def edit_label(voice: Voice, field: str) -> str:
    return voice(_EDIT_KEYS[Field(field)])


def _edit_choices(voice: Voice) -> list[tuple[str, str]]:
    return [
        *((edit_label(voice, value), value) for value in EDIT_FIELDS),
        (voice("enrol.back_to_summary"), BACK),
    ]


def _summary_choices(voice: Voice) -> list[tuple[str, str]]:
    return [
        (voice("enrol.confirm"), CONFIRM),
        (voice("enrol.edit"), CHANGE),
        (voice("enrol.cancel"), CANCEL),
    ]


def _ask_name(draft: EnrolDraft, voice: Voice, now: datetime) -> tuple[str, None]:
    return voice("enrol.ask_name_first" if draft.full_name is None else "enrol.ask_name"), None


GUIDED_FIX = "enrol.guided_fix"


def closed_day_note(
    day: date, working: WorkingTime, voice: Voice, fix: str = GUIDED_FIX
) -> str | None:
    """A warning, then the text `fix`, when the clinic is closed on `day` (a weekday off or an
    official holiday). Only a warning: staff may know better (an extra opening)."""
    closure = working.closed_because(day)
    if closure is None:
        return None
    why = closed_day_name(closure, working, voice.lang, voice)
    return voice("enrol.closed_day", day=day, why=why, fix=voice(fix))


def closed_day_name(
    closure: Closure, working: WorkingTime, lang: str, say: Callable[[str], str]
) -> str:
    """The holiday's name in `lang` from the holiday calendar, or the weekday's from the
    catalogs ("Friday")."""
    holiday = working.closure_name(closure, lang)
    return holiday or say(f"weekdays.{WEEKDAY_KEYS[closure.day.weekday()]}")


def _ask_day(
    draft: EnrolDraft, voice: Voice, now: datetime, working: WorkingTime
) -> tuple[str, InlineKeyboardMarkup]:
    """The next DAYS_OFFERED working days, from today; a closed day can still be typed."""
    today = now.astimezone(working.tz).date()
    first = today if working.is_working_day(today) else working.next_working_day(today)
    days = [first]
    while len(days) < DAYS_OFFERED:
        days.append(working.next_working_day(days[-1]))
    choices = [(voice.day(day, with_year=False), day.isoformat()) for day in days]
    return voice("enrol.ask_day"), _rows(draft, Field.DAY, choices, per_row=2)


def _ask_time(
    draft: EnrolDraft, voice: Voice, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    local_now = now.astimezone(voice.tz)
    slots = [
        slot for slot in TIME_SLOTS if draft.day != local_now.date() or slot > local_now.time()
    ]
    day = voice.day(draft.day) if draft.day else voice("enrol.that_day")
    choices = [(voice.clock(slot), f"{slot:%H%M}") for slot in slots]
    text = voice("enrol.ask_time", day=day)
    return text, _rows(draft, Field.TIME, choices, per_row=4) if choices else None


def _ask_area(draft: EnrolDraft, voice: Voice, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(area_name(voice, key), key) for key in TREATMENT_AREAS]
    return voice("enrol.ask_area"), _rows(draft, Field.AREA, choices, per_row=3)


def _ask_count(draft: EnrolDraft, voice: Voice, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(voice.digits(str(n)), str(n)) for n in range(1, MAX_SESSIONS + 1)]
    text = voice("enrol.ask_count", most=MAX_SESSIONS)
    return text, _rows(draft, Field.COUNT, choices, per_row=5)


def _ask_every(draft: EnrolDraft, voice: Voice, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    choices = [
        (
            voice(
                "enrol.every_days_default" if days == DEFAULT_INTERVAL_DAYS else "enrol.every_days",
                days=days,
            ),
            str(days),
        )
        for days in INTERVALS_OFFERED
    ]
    text = voice("enrol.ask_every", most=MAX_INTERVAL_DAYS)
    return text, _rows(draft, Field.EVERY, choices, per_row=2)


def _ask_phone(draft: EnrolDraft, voice: Voice, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    skip = [(voice("enrol.skip"), SKIP)]
    return voice("enrol.ask_phone"), _rows(draft, Field.PHONE, skip, per_row=1)


def _ask_language(
    draft: EnrolDraft, voice: Voice, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(language_name(voice, key), key) for key in LANGUAGES]
    return voice("enrol.ask_language"), _rows(draft, Field.LANGUAGE, choices, per_row=2)


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
        InlineKeyboardButton(label, callback_data=encode(EnrolButton(draft.nonce, field, value)))
        for label, value in choices
    ]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])
