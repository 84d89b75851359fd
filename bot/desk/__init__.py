"""The staff desk: the agenda, a patient's card and every action on it, exports and erasure,
the clinic's month at a glance."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.desk import (
    actions,
    agenda,
    agenda_buttons,
    buttons,
    card,
    export,
    forget_buttons,
    journey,
    privacy,
    stats,
)
from bot.services import Handler


def handlers() -> list[Handler]:
    return [
        CommandHandler("today", agenda.today),
        CommandHandler("upcoming", agenda.upcoming),
        CallbackQueryHandler(agenda.turn_page, pattern=agenda_buttons.PATTERN),
        CommandHandler("done", actions.done),
        CommandHandler("schedule", journey.schedule),
        CommandHandler("patient", card.find_patient),
        CommandHandler("reschedule", actions.reschedule),
        CommandHandler("cancel_appt", actions.cancel_appointment),
        CommandHandler("noshow", actions.no_show),
        CommandHandler("add_session", actions.add_session),
        CommandHandler("export", export.export),
        CommandHandler("export_patient", privacy.export),
        CommandHandler("forget", privacy.forget),
        CommandHandler("stats", stats.stats),
        CallbackQueryHandler(privacy.forget_confirmed, pattern=forget_buttons.PATTERN),
        CallbackQueryHandler(actions.press_button, pattern=buttons.PATTERN),
    ]


def typed_answers() -> Handler:
    """A date and time the desk asked a staff member for: sees text before group 0 does."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND, actions.take_typed_time)
