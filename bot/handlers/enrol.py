"""/enrol in one line: `/enrol <full name> <YYYY-MM-DD> <HH:MM>`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update

from bot.access import actor, staff_only
from bot.services import CareContext
from care.dates import DateInputError, format_both_calendars, iso_local, parse_local_datetime
from care.enrolment import Booking, Enrolment, enrol
from care.text_input import InvalidName, clean_name

log = logging.getLogger(__name__)

USAGE = (
    "To enrol a patient, send:\n/enrol <full name> <date> <time>\n"
    "e.g. /enrol Sara Ahmadi 2026-12-05 14:30\n"
    "The date may be Solar Hijri (1405-09-14) and the time is clinic time."
)
FURTHEST_AHEAD = timedelta(days=400)


@dataclass(frozen=True)
class EnrolRequest:
    full_name: str
    starts_at: datetime


class EnrolInputError(ValueError):
    """What staff typed cannot be enrolled; the message says why and what to type."""


def parse_enrol(args: list[str], *, context: CareContext, now: datetime) -> EnrolRequest:
    if len(args) < 3:
        raise EnrolInputError(f"Something is missing.\n\n{USAGE}")
    *name_parts, date_text, time_text = args
    try:
        full_name = clean_name(" ".join(name_parts))
    except InvalidName as error:
        raise EnrolInputError(str(error)) from None
    try:
        starts_at = parse_local_datetime(date_text, time_text, context.services.settings.timezone)
    except DateInputError as error:
        raise EnrolInputError(str(error)) from None
    if starts_at <= now:
        raise EnrolInputError(
            "That time has already passed. Give a future date and time, e.g. "
            f"/enrol {full_name} {(now + timedelta(days=1)):%Y-%m-%d} 14:30"
        )
    if starts_at - now > FURTHEST_AHEAD:
        raise EnrolInputError(
            "That is more than 400 days away; please check the year and send it again."
        )
    return EnrolRequest(full_name, starts_at)


@staff_only
async def enrol_one_line(update: Update, context: CareContext) -> None:
    """Enrol a patient from one line and answer with the appointment and the invite link."""
    assert update.effective_message is not None
    services = context.services
    now = services.clock.now()
    try:
        request = parse_enrol(context.args or [], context=context, now=now)
    except EnrolInputError as error:
        await update.effective_message.reply_text(str(error))
        return
    booking = Booking(
        full_name=request.full_name,
        starts_at=request.starts_at,
        language=services.settings.default_language,
    )
    enrolment = await services.db.run(
        enrol,
        booking,
        plan=services.plan,
        actor=actor(update),
        invite_days=services.settings.invite_days,
        now=now,
    )
    log.info("enrolled patient %d", enrolment.patient_id)
    services.delivery.poke()
    await update.effective_message.reply_text(
        describe_enrolment(enrolment, request, context), disable_web_page_preview=True
    )


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def describe_enrolment(enrolment: Enrolment, request: EnrolRequest, context: CareContext) -> str:
    tz = context.services.settings.timezone
    local = request.starts_at.astimezone(tz)
    link = invite_link(context.bot.username, enrolment.token)
    return (
        f"Enrolled {request.full_name}: appointment #{enrolment.appointment_ids[0]}\n"
        f"{iso_local(request.starts_at, tz)} clinic time "
        f"({format_both_calendars(local.date())})\n\n"
        f"Invite link for the patient (single use, valid until "
        f"{iso_local(enrolment.invite_expires_at, tz)}):\n{link}"
    )
