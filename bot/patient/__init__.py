"""The patient's side: opening the invite, their commands, their answers, their language and
pausing their messages. Every command is for private chats; every button checks who pressed it."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.patient import (
    answers,
    channel,
    channel_buttons,
    commands,
    faq_buttons,
    language,
    language_buttons,
    reschedule,
    reschedule_buttons,
    start,
    stop,
    stop_buttons,
)
from bot.services import Handler
from care.answers import codec

WITH_TOKEN = filters.Regex(r"^/start\s+\S")


def starting() -> list[Handler]:
    """/start with an invite token (a bare /start is bot.staff's: staff, then patients)."""
    private = filters.ChatType.PRIVATE
    return [CommandHandler("start", start.start_with_token, private & WITH_TOKEN)]


def handlers() -> list[Handler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("appointments", commands.appointments, private),
        CommandHandler("care", commands.care, private),
        CommandHandler("channel", channel.channel, private),
        CommandHandler("faq", commands.faq, private),
        CommandHandler("help", commands.help_command, private),
        CommandHandler("stop", stop.stop, private),
        # "I need another time" opens the picker; every other answer is recorded at once.
        CallbackQueryHandler(reschedule.open_picker, pattern=reschedule.PATTERN),
        CallbackQueryHandler(reschedule.press, pattern=reschedule_buttons.PATTERN),
        CallbackQueryHandler(answers.answer, pattern=codec.PATTERN),
        CallbackQueryHandler(language.choose_language, pattern=language_buttons.PATTERN),
        CallbackQueryHandler(stop.confirm_stop, pattern=stop_buttons.PATTERN),
        CallbackQueryHandler(channel.choose_channel, pattern=channel_buttons.PATTERN),
        CallbackQueryHandler(commands.faq_answer, pattern=faq_buttons.PATTERN),
    ]
