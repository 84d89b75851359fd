"""Anything else a person types gets a helpful answer, never silence."""

from __future__ import annotations

from telegram import Update

from bot.common.access import is_staff, role_of
from bot.common.patient_view import say
from bot.common.staff_language import staff_voice
from bot.services import CareContext
from care.people.lookup import patient_in_chat


async def answer_anything(update: Update, context: CareContext) -> None:
    """Staff get their command list; patients and strangers get the menu and the phone."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type != chat.PRIVATE:
        return
    if is_staff(await role_of(update, context)):
        voice = await staff_voice(update, context)
        await message.reply_text(voice("staff.help"))
        return
    services = context.services
    patient = await services.db.run(patient_in_chat, chat.id, context.channel)
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
        user_id = update.effective_user.id
        patient = await services.db.run(patient_in_chat, user_id, context.channel)
    lang = patient.language if patient is not None else services.settings.default_language
    await query.answer(say(services, lang, "patient.button_stale"), show_alert=True)
