"""/enrol in one line (`/enrol <full name> <date> <HH:MM>`); someone already on record is
offered their new course on that record (bot/enrol/returning.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update

from bot.common.access import staff_only
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.enrol.announce import enrol_and_announce
from bot.enrol.questions import closed_day_note
from bot.enrol.returning import offer
from bot.services import CareContext
from care.core.dates import DateInputError, local_instant, month_number, parse_date, parse_time
from care.core.text_input import InvalidName, clean_name, normalize_digits
from care.people.enrol_input import EnrolInputError, check_start
from care.people.enrolment import Booking
from care.people.returning import same_person

log = logging.getLogger(__name__)

ONE_LINE_FIX = "enrol.one_line_fix"


@dataclass(frozen=True)
class EnrolRequest:
    full_name: str
    starts_at: datetime


def parse_enrol(args: list[str], *, voice: Voice, now: datetime) -> EnrolRequest:
    """The name, date and time of `/enrol`; EnrolInputError (its text ready for staff) if not.

    The date may be a Solar Hijri month by name, in Persian or English: "14 Azar 14:30"."""
    if len(args) < 3:
        raise OneLineError(voice("enrol.missing", usage=voice("enrol.usage")))
    *name_parts, time_text = args
    name_parts, date_text = _split_date(name_parts)
    try:
        full_name = clean_name(" ".join(name_parts))
    except InvalidName as error:
        raise OneLineError(voice.problem(error)) from None
    try:
        day = parse_date(date_text, now.astimezone(voice.tz).date())
        starts_at = local_instant(day, parse_time(time_text), voice.tz)
        check_start(starts_at, now)
    except (DateInputError, EnrolInputError) as error:
        tomorrow = (now + timedelta(days=1)).astimezone(voice.tz).date()
        example = f"/enrol {full_name} {tomorrow.isoformat()} 14:30"
        raise OneLineError(
            voice("enrol.with_example", problem=voice.problem(error), example=example)
        ) from None
    return EnrolRequest(full_name, starts_at)


class OneLineError(ValueError):
    """/enrol in one line cannot be used; `str()` is the reply, already in the staff language."""


def _split_date(words: list[str]) -> tuple[list[str], str]:
    """The name and the date before the time: the last word, or a day and a month by name
    ("14 Azar", "14 Azar 1405", or the same in Persian)."""
    for size in (3, 2):
        if len(words) <= size:
            continue
        day, month, *year = words[-size:]
        numbers = [normalize_digits(word) for word in (day, *year)]
        if month_number(month) is not None and all(n.isdigit() and len(n) <= 4 for n in numbers):
            return words[:-size], " ".join(words[-size:])
    return words[:-1], words[-1]


@staff_only
async def enrol_one_line(update: Update, context: CareContext) -> None:
    """Enrol a patient from one line and answer with the appointment and the invite."""
    assert update.effective_message is not None
    services = context.services
    now = services.clock.now()
    voice = await staff_voice(update, context)
    try:
        request = parse_enrol(context.args or [], voice=voice, now=now)
    except OneLineError as error:
        await update.effective_message.reply_text(str(error))
        return
    booking = Booking(
        full_name=request.full_name,
        starts_at=request.starts_at,
        language=services.settings.default_language,
    )
    working = services.settings.working_time
    day = request.starts_at.astimezone(working.tz).date()
    note = closed_day_note(day, working, voice, ONE_LINE_FIX)
    if note is not None:
        await update.effective_message.reply_text(note)
    known = await services.db.run(same_person, booking.full_name, booking.phone)
    if known is not None:
        await offer(update, context, booking, known)
        return
    await enrol_and_announce(update, context, booking)
