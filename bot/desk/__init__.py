"""The staff desk: the agenda, a patient's card and every action on it, exports and erasure,
the clinic's month at a glance."""

from __future__ import annotations

from telegram import Update
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
    merge,
    merge_buttons,
    privacy,
    stats,
)
from bot.services import CareContext, Handler


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
        CallbackQueryHandler(merge.press, pattern=merge_buttons.PATTERN),
        CallbackQueryHandler(actions.press_button, pattern=buttons.PATTERN),
    ]


def typed_answers() -> Handler:
    """A date and time, or the record to merge, the desk asked a staff member for: sees text
    before group 0 does (each raises ApplicationHandlerStop when the text was its answer)."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND, _take_typed)


async def _take_typed(update: Update, context: CareContext) -> None:
    await actions.take_typed_time(update, context)
    await merge.take_search(update, context)
