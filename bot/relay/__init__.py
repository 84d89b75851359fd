"""Patients talk to the clinic: their messages reach the staff chat, staff answer from there,
every alert has an owner, urgent ones left alone reach the admins, and a morning sheet opens
each working day."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.desk import alert_buttons
from bot.relay import buttons, ownership, replies, router
from bot.services import Handler


def handlers() -> list[Handler]:
    """Before the catch-alls: the router hands anything not for the relay on to them."""
    words = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.VOICE
    return [
        CommandHandler("alerts", ownership.list_open),
        CallbackQueryHandler(ownership.press, pattern=alert_buttons.PATTERN),
        CallbackQueryHandler(replies.ask_for_answer, pattern=buttons.PATTERN),
        MessageHandler(words, router.route),
    ]
