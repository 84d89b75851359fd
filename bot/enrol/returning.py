"""/enrol for someone already on record: staff choose between adding the new course to that
record and enrolling a new patient (buttons `ret:add:<n>` and `ret:new:<n>`, where <n> names
the booking this staff member is holding, kept in their own session data only)."""

from __future__ import annotations

import logging
import re
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.common.access import actor, staff_only
from bot.common.patient_view import appointment_list
from bot.common.staff_language import staff_voice
from bot.enrol.invite_qr import invite_link, send_qr
from bot.enrol.one_line import enrol_and_announce, invite_text, qr_caption
from bot.services import CareContext
from care.core.models import Patient, PatientStatus
from care.db import appointments
from care.people.enrolment import Booking
from care.people.returning import NewCourse, add_course

log = logging.getLogger(__name__)

PATTERN = r"^ret:(add|new):[0-9a-f]{8}$"
_DATA = re.compile(PATTERN)
_HELD = "returning"


async def offer(update: Update, context: CareContext, booking: Booking, patient: Patient) -> None:
    """Ask whether `booking` is a new course for `patient` or a new patient."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    nonce = secrets.token_hex(4)
    held = context.user_data.setdefault(_HELD, {}) if context.user_data is not None else {}
    held[nonce] = (booking, patient.id)
    who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(voice("enrol.add_to_record"), callback_data=f"ret:add:{nonce}")],
            [InlineKeyboardButton(voice("enrol.new_patient"), callback_data=f"ret:new:{nonce}")],
        ]
    )
    await update.effective_message.reply_text(
        voice("enrol.returning_found", who=who), reply_markup=keyboard
    )


@staff_only
async def choose(update: Update, context: CareContext) -> None:
    """Carry out the choice for the held booking; a button pressed twice or from an earlier
    session finds nothing held and says so."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    voice = await staff_voice(update, context)
    match = _DATA.match(query.data or "")
    held = context.user_data.get(_HELD, {}) if context.user_data is not None else {}
    taken = held.pop((query.data or "").rsplit(":", 1)[-1], None) if match else None
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as error:  # pressed again: the buttons are gone already
        log.info("could not remove the returning-patient buttons: %s", error.message)
    if taken is None:
        await context.bot.send_message(update.effective_chat.id, voice("enrol.returning_stale"))
        return
    booking, patient_id = taken
    if (query.data or "").startswith("ret:new:"):
        await enrol_and_announce(update, context, booking)
        return
    services = context.services
    added = await services.db.run(
        add_course,
        patient_id,
        booking,
        plan=services.plan,
        actor=actor(update),
        invite_days=services.settings.invite_days,
        now=services.clock.now(),
    )
    if added is None:
        await context.bot.send_message(
            update.effective_chat.id, voice("desk.patient_erased", patient_id=patient_id)
        )
        return
    log.info("added course to patient %d", patient_id)
    services.schedule_changed()
    await _announce(update, context, added)


async def _announce(update: Update, context: CareContext, added: NewCourse) -> None:
    """Staff get the new appointments and, for a patient not linked, the invite; a linked
    patient is told of the new sessions in their chat."""
    assert update.effective_chat is not None
    voice = await staff_voice(update, context)
    services = context.services
    patient, ids = added.patient, added.appointment_ids
    lines = [voice("enrol.course_added", patient_id=patient.id, first=ids[0], last=ids[-1])]
    if added.token is not None and added.invite_expires_at is not None:
        link = invite_link(context.bot.username, added.token)
        lines.append(invite_text(voice, link, added.invite_expires_at))
        await context.bot.send_message(
            update.effective_chat.id, "\n\n".join(lines), disable_web_page_preview=True
        )
        caption = qr_caption(voice, patient.full_name, patient.id)
        await send_qr(context.bot, update.effective_chat.id, link, caption)
        return
    if patient.chat_id is not None and patient.status is PatientStatus.ACTIVE:
        booked = [
            a for a in await services.db.run(appointments.of_patient, patient.id) if a.id in ids
        ]
        text = services.catalog.text(
            patient.language,
            "patient.new_course",
            appointment_list=appointment_list(services, booked, patient.language),
        )
        await context.bot.send_message(patient.chat_id, text)
        lines.append(voice("desk.told"))
    else:
        lines.append(voice("desk.on_hold"))
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines))
