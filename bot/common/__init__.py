"""What every side of the bot shares: who is who, how the bot speaks, the menus, staff alerts,
and the answers for anything no feature recognised."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, TypeHandler, filters

from bot.common import awake, fallback
from bot.services import Handler


def catch_alls() -> list[Handler]:
    """Keep last: text or a button nothing above recognised still gets an answer."""
    return [
        MessageHandler(filters.TEXT | filters.COMMAND, fallback.answer_anything),
        CallbackQueryHandler(fallback.answer_unknown_button),
    ]


def awake_watch() -> Handler:
    """Sees every update first: a patient who writes or taps is awake (care.schedule.awake)."""
    return TypeHandler(Update, awake.note_awake)
