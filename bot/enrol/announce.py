"""The answer every enrolment gets: the appointment(s), the invite link and its QR code."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update

from bot.common.access import actor
from bot.common.invite_qr import invite_links, links_text, send_qrs
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.services import CareContext
from care.people.enrolment import Booking, Enrolment, enrol

log = logging.getLogger(__name__)


async def enrol_and_announce(update: Update, context: CareContext, booking: Booking) -> None:
    """Enrol the booking, then send staff the appointment, the invite link and its QR code."""
    assert update.effective_chat is not None
    services = context.services
    voice = await staff_voice(update, context)
    enrolment = await services.db.run(
        enrol,
        booking,
        plan=services.plan,
        actor=actor(update),
        invite_days=services.settings.invite_days,
        now=services.clock.now(),
    )
    log.info("enrolled patient %d", enrolment.patient_id)
    services.schedule_changed()
    chat_id = update.effective_chat.id
    links = invite_links(services.channels, enrolment.token)
    await context.bot.send_message(
        chat_id,
        describe_enrolment(voice, enrolment, booking, links_text(voice, links)),
        disable_web_page_preview=True,
    )
    caption = qr_caption(voice, booking.full_name, enrolment.patient_id)
    await send_qrs(context.bot, chat_id, voice, links, caption)


def describe_enrolment(voice: Voice, enrolment: Enrolment, booking: Booking, link: str) -> str:
    local = booking.starts_at.astimezone(voice.tz)
    ids = enrolment.appointment_ids
    lines = [
        voice("enrol.enrolled", patient_name=booking.full_name, appointment_id=ids[0]),
        voice("enrol.starts", day=local.date(), time=local.time()),
    ]
    if len(ids) > 1:
        lines.append(
            voice(
                "enrol.course",
                count=len(ids),
                days=booking.interval_days,
                first=ids[0],
                last=ids[-1],
            )
        )
    lines += [
        voice("enrol.patient", patient_id=enrolment.patient_id),
        "",
        invite_text(voice, link, enrolment.invite_expires_at),
    ]
    return "\n".join(lines)


def invite_text(voice: Voice, link: str, expires_at: datetime) -> str:
    return voice("enrol.invite", until=expires_at, link=link)


def qr_caption(voice: Voice, full_name: str, patient_id: int) -> str:
    return voice("enrol.qr_caption", patient_name=full_name, patient_id=patient_id)
