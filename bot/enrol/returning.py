"""/enrol (either form) for someone already on record: staff choose between adding the new
course to that record and enrolling a new patient (the buttons: bot/enrol/returning_buttons.py).
The booking waits in the asking staff member's own session data until they choose."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.common.access import actor, staff_only
from bot.common.invite_qr import invite_links, links_text, send_qrs
from bot.common.patient_view import appointment_list
from bot.common.staff_language import staff_voice
from bot.enrol.announce import enrol_and_announce, invite_text, qr_caption
from bot.enrol.returning_buttons import ReturningButton, decode, encode, new_nonce
from bot.services import CareContext
from care.core.models import Patient, PatientStatus
from care.people.enrolment import Booking
from care.people.returning import NewCourse, add_course

log = logging.getLogger(__name__)

_HELD = "returning"


async def offer(update: Update, context: CareContext, booking: Booking, patient: Patient) -> None:
    """Ask whether `booking` is a new course for `patient` or a new patient."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    nonce = new_nonce()
    held = context.user_data.setdefault(_HELD, {}) if context.user_data is not None else {}
    held[nonce] = (booking, patient.id)
    who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    keyboard = InlineKeyboardMarkup(
        [
            [_button(voice("enrol.add_to_record"), ReturningButton(nonce, add_to_record=True))],
            [_button(voice("enrol.new_patient"), ReturningButton(nonce, add_to_record=False))],
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
    button = decode(query.data)
    held = context.user_data.get(_HELD, {}) if context.user_data is not None else {}
    taken = held.pop(button.nonce, None) if button is not None else None
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as error:  # pressed again: the buttons are gone already
        log.info("could not remove the returning-patient buttons: %s", error.message)
    if taken is None:
        await context.bot.send_message(update.effective_chat.id, voice("enrol.returning_stale"))
        return
    assert button is not None
    booking, patient_id = taken
    if not button.add_to_record:
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


def _button(label: str, button: ReturningButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(button))


async def _announce(update: Update, context: CareContext, added: NewCourse) -> None:
    """Staff get the new appointments and, for a patient not linked, the invite; a linked
    patient is told of the new sessions in their chat, on their preferred channel."""
    assert update.effective_chat is not None
    voice = await staff_voice(update, context)
    services = context.services
    patient, ids = added.patient, added.appointment_ids
    lines = [voice("enrol.course_added", patient_id=patient.id, first=ids[0], last=ids[-1])]
    if added.token is not None and added.invite_expires_at is not None:
        links = invite_links(services.channels, added.token)
        lines.append(invite_text(voice, links_text(voice, links), added.invite_expires_at))
        await context.bot.send_message(
            update.effective_chat.id, "\n\n".join(lines), disable_web_page_preview=True
        )
        caption = qr_caption(voice, patient.full_name, patient.id)
        await send_qrs(context.bot, update.effective_chat.id, voice, links, caption)
        return
    patient_bot = services.bot_of(patient.channel)
    if (
        patient.chat_id is not None
        and patient_bot is not None
        and patient.status is PatientStatus.ACTIVE
    ):
        booked = list(added.appointments)
        text = services.catalog.text(
            patient.language,
            "patient.new_course",
            appointment_list=appointment_list(services, booked, patient.language),
        )
        await patient_bot.send_message(patient.chat_id, text)
        lines.append(voice("desk.told"))
    else:
        lines.append(voice("desk.on_hold"))
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines))
