"""Enrolling a patient: /enrol guided or in one line, and /invite for a fresh link."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.enrol import buttons, guided, invite, one_line, returning, returning_buttons
from bot.services import Handler


def handlers() -> list[Handler]:
    """The guided conversation first: /enrol alone starts it, /enrol with words is one line."""
    return [
        guided.enrol_conversation(),
        CommandHandler(["enrol", "enroll"], one_line.enrol_one_line),
        CallbackQueryHandler(guided.enrol_button_finished, pattern=buttons.PATTERN),
        CallbackQueryHandler(returning.choose, pattern=returning_buttons.PATTERN),
        CommandHandler("invite", invite.invite),
    ]
