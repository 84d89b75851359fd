"""Every private message or tap from a patient says they are awake (see care.awake): before
any other handler answers it, their messages that were only waiting for the morning go out."""

from __future__ import annotations

from telegram import Update

from bot.services import CareContext
from care.schedule.awake import patient_of_chat, release_for_awake


async def note_awake(update: Update, context: CareContext) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return
    if update.message is None and update.callback_query is None:
        return  # e.g. the patient blocked the bot: that is no sign of being awake
    services = context.services
    patient_id = await services.db.run(patient_of_chat, chat.id, context.channel)
    if patient_id is None:
        return
    now = services.clock.now()
    services.awake.seen(patient_id, now)
    if await services.db.run(release_for_awake, patient_id, now):
        services.schedule_changed()
