"""Anything else a person types gets a helpful answer, never silence."""

from __future__ import annotations

from telegram import Update

from bot.access import is_staff, role_of
from bot.patient_view import say
from bot.services import CareContext
from care.db import patients

STAFF_HELP = (
    "Staff commands:\n"
    "/enrol <full name> <date> <time> — enrol a patient and get their invite link\n"
    "/schedule <appointment> — the care messages of an appointment and their state\n"
    "/done <appointment> — mark it done; the after-care message goes out at once\n"
    "/export_patient <patient> — admin: everything stored about a patient, as a file\n"
    "/forget <patient> — admin: erase a patient's personal data (asks first)"
)


async def answer_anything(update: Update, context: CareContext) -> None:
    """Staff get their command list; patients and strangers get the menu and the phone."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type != chat.PRIVATE:
        return
    if is_staff(await role_of(update, context)):
        await message.reply_text(STAFF_HELP)
        return
    services = context.services
    patient = await services.db.run(patients.by_chat, chat.id)
    if patient is None:
        await message.reply_text(
            say(services, services.settings.default_language, "patient.start_unknown")
        )
        return
    await message.reply_text(say(services, patient.language, "patient.free_text"))


async def answer_unknown_button(update: Update, context: CareContext) -> None:
    """A button no handler recognises (forged, or from an old message): say so, change
    nothing."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    patient = None
    if update.effective_user is not None:
        patient = await services.db.run(patients.by_chat, update.effective_user.id)
    lang = patient.language if patient is not None else services.settings.default_language
    await query.answer(say(services, lang, "patient.button_stale"), show_alert=True)
