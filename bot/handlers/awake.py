"""Every private message or tap from a patient says they are awake (see care.awake): before
any other handler answers it, their messages that were only waiting for the morning go out."""

from __future__ import annotations

from telegram import Update

from bot.services import CareContext
from care.awake import seen_in_chat


async def note_awake(update: Update, context: CareContext) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return
    if update.message is None and update.callback_query is None:
        return  # e.g. the patient blocked the bot: that is no sign of being awake
    services = context.services
    if await services.db.run(seen_in_chat, chat.id, services.clock.now()):
        services.delivery.poke()
