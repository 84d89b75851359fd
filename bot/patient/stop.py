"""/stop: a patient pauses every message, after confirming; /start resumes them."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.patient_view import say
from bot.patient import stop_buttons
from bot.patient.common import patient_only, replace_text, tell
from bot.services import CareContext
from care.core.models import Patient
from care.people.patient_choices import pause

log = logging.getLogger(__name__)
YES, NO = stop_buttons.encode(confirm=True), stop_buttons.encode(confirm=False)


@patient_only
async def stop(update: Update, context: CareContext, patient: Patient) -> None:
    """/stop: ask before pausing everything."""
    catalog = context.services.catalog
    lang = patient.language
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalog.text(lang, "buttons.stop_confirm"),
                    callback_data=YES,
                )
            ],
            [
                InlineKeyboardButton(
                    catalog.text(lang, "buttons.no"),
                    callback_data=NO,
                )
            ],
        ]
    )
    await tell(update, context, say(context.services, lang, "patient.stop_confirm"), keyboard)


@patient_only
async def confirm_stop(update: Update, context: CareContext, patient: Patient) -> None:
    """The answer to /stop's question: pause and tell staff, or keep the messages coming."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    if not stop_buttons.decode(query.data):  # "keep", or not made here: nothing changes
        await replace_text(
            update, context, query, say(services, patient.language, "patient.stop_kept")
        )
        return
    paused = await services.db.run(
        pause, query.from_user.id, now=services.clock.now(), channel=context.channel
    )
    if paused is None:  # erased between the guard and here
        return
    if paused.alert_raised:
        log.info("patient %d paused their messages", patient.id)
        services.alert_raised()
    await replace_text(update, context, query, say(services, patient.language, "patient.stopped"))
