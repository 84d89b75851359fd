"""/enrol in one line (`/enrol <full name> <YYYY-MM-DD> <HH:MM>`), and the answer every
enrolment gets: the appointment(s), the invite link and its QR code."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update

from bot.access import actor, staff_only
from bot.enrol_questions import closed_day_note
from bot.invite_qr import invite_link, send_qr
from bot.services import CareContext
from care.dates import DateInputError, both_calendars_label, iso_local, parse_local_datetime
from care.enrol_input import EnrolInputError, check_start
from care.enrolment import Booking, Enrolment, enrol
from care.text_input import InvalidName, clean_name

log = logging.getLogger(__name__)

ONE_LINE_FIX = (
    "Enrolled anyway; if it is a mistake, move it with /reschedule <appointment> <date> <time>."
)
USAGE = (
    "To enrol a patient, send:\n/enrol <full name> <date> <time>\n"
    "e.g. /enrol Sara Ahmadi 2026-12-05 14:30\n"
    "The date may be Solar Hijri (1405-09-14) and the time is clinic time.\n"
    "Or send /enrol alone in a private chat with me to be guided step by step."
)


@dataclass(frozen=True)
class EnrolRequest:
    full_name: str
    starts_at: datetime


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
        check_start(starts_at, now)
    except (DateInputError, EnrolInputError) as error:
        example = f"/enrol {full_name} {(now + timedelta(days=1)):%Y-%m-%d} 14:30"
        raise EnrolInputError(f"{error}\ne.g. {example}") from None
    return EnrolRequest(full_name, starts_at)


@staff_only
async def enrol_one_line(update: Update, context: CareContext) -> None:
    """Enrol a patient from one line and answer with the appointment and the invite."""
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
    working = services.settings.working_time
    note = closed_day_note(request.starts_at.astimezone(working.tz).date(), working, ONE_LINE_FIX)
    if note is not None:
        await update.effective_message.reply_text(note)
    await enrol_and_announce(update, context, booking)


async def enrol_and_announce(update: Update, context: CareContext, booking: Booking) -> None:
    """Enrol the booking, then send staff the appointment, the invite link and its QR code."""
    assert update.effective_chat is not None
    services = context.services
    enrolment = await services.db.run(
        enrol,
        booking,
        plan=services.plan,
        actor=actor(update),
        invite_days=services.settings.invite_days,
        now=services.clock.now(),
    )
    log.info("enrolled patient %d", enrolment.patient_id)
    services.delivery.poke()
    chat_id = update.effective_chat.id
    link = invite_link(context.bot.username, enrolment.token)
    await context.bot.send_message(
        chat_id,
        describe_enrolment(enrolment, booking, link, context),
        disable_web_page_preview=True,
    )
    await send_qr(context.bot, chat_id, link, qr_caption(booking.full_name, enrolment.patient_id))


def describe_enrolment(
    enrolment: Enrolment, booking: Booking, link: str, context: CareContext
) -> str:
    tz = context.services.settings.timezone
    local = booking.starts_at.astimezone(tz)
    ids = enrolment.appointment_ids
    lines = [
        f"Enrolled {booking.full_name}: appointment #{ids[0]}",
        f"{iso_local(booking.starts_at, tz)} clinic time ({both_calendars_label(local.date())})",
    ]
    if len(ids) > 1:
        lines.append(
            f"Course: {len(ids)} sessions, every {booking.interval_days} days "
            f"(appointments #{ids[0]} to #{ids[-1]})"
        )
    lines += [
        f"Patient #{enrolment.patient_id}",
        "",
        invite_text(link, enrolment.invite_expires_at, context),
    ]
    return "\n".join(lines)


def invite_text(link: str, expires_at: datetime, context: CareContext) -> str:
    tz = context.services.settings.timezone
    return (
        f"Invite link for the patient (single use, valid until "
        f"{iso_local(expires_at, tz)}):\n{link}"
    )


def qr_caption(full_name: str, patient_id: int) -> str:
    return (
        f"Invite QR code for {full_name} (patient #{patient_id}): the patient scans it with "
        f"the phone's camera to open the clinic's bot. A new one: /invite {patient_id}"
    )
