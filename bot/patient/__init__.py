"""The patient's side: opening the invite, their commands, their answers, their language and
pausing their messages. Every command is for private chats; every button checks who pressed it."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.patient import answers, commands, comment, language, start, stop
from bot.services import Handler


def starting() -> list[Handler]:
    """/start with an invite token, then plain /start (a returning patient, staff, a stranger)."""
    private = filters.ChatType.PRIVATE
    with_token = filters.Regex(r"^/start\s+\S")
    return [
        CommandHandler("start", start.start_with_token, private & with_token),
        CommandHandler("start", start.start_plain, private),
    ]


def handlers() -> list[Handler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("appointments", commands.appointments, private),
        CommandHandler("care", commands.care, private),
        CommandHandler("faq", commands.faq, private),
        CommandHandler("help", commands.help_command, private),
        CommandHandler("stop", stop.stop, private),
        CallbackQueryHandler(answers.answer, pattern=answers.PATTERN),
        CallbackQueryHandler(language.choose_language, pattern=language.PATTERN),
        CallbackQueryHandler(stop.confirm_stop, pattern=stop.PATTERN),
        CallbackQueryHandler(commands.faq_answer, pattern=commands.FAQ_PATTERN),
        # Free text: a comment on a score just given, else the catch-all's answer.
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, comment.comment),
    ]
