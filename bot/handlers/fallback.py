"""Anything else a person types gets a helpful answer, never silence."""

from __future__ import annotations

from telegram import Update

from bot.access import is_staff, role_of
from bot.patient_view import say
from bot.services import CareContext
from care.db import patients

STAFF_HELP = (
    "Staff commands:\n"
    "/enrol — enrol a patient step by step (in a private chat with me); /cancel stops it\n"
    "/enrol <full name> <date> <time> — enrol a patient in one line\n"
    "/today — today's appointments; /upcoming [days] — the next days (default 7)\n"
    "/invite <patient> — a new invite link and QR code; the old link stops working\n"
    "/schedule <appointment> — the care messages of an appointment and their state\n"
    "/done <appointment> — mark it done; the after-care message goes out at once\n"
    "/patient <number | name | phone> — a patient's card, with buttons to act on it\n"
    "/reschedule <appointment> <date> <time> — move an appointment\n"
    "/cancel_appt <appointment> — cancel an appointment\n"
    "/noshow <appointment> — record that the patient did not come\n"
    "/add_session <patient> <date> <time> — add a session to the course\n"
    "/export — every record as a CSV file (admin, private chat)\n"
    "/export_patient <patient> — everything stored about one patient (admin, private chat)\n"
    "/forget <patient> — erase a patient's personal data, after a confirmation (admin)\n"
    "/staff — admins only: staff members, staff invite links"
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
