"""What every patient command and button shares: the patient-only guard and the replies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.common.access import Handler, linked_patient
from bot.common.fallback import answer_anything
from bot.common.replace import replace_message
from bot.services import CareContext
from care.core.models import Patient

log = logging.getLogger(__name__)

PatientHandler = Callable[[Update, CareContext, Patient], Coroutine[Any, Any, None]]


def patient_only(handler: PatientHandler) -> Handler[None]:
    """Run `handler` with the sender's own patient record. A button is acknowledged first.
    Anyone else is answered as the catch-all answers them and nothing changes."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: CareContext) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        patient = await linked_patient(update, context)
        if patient is None:
            await answer_anything(update, context)
            return
        await handler(update, context, patient)

    return guarded


async def tell(
    update: Update,
    context: CareContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send `text` to the chat the update came from (the presser's, for a button)."""
    chat = update.effective_chat
    user = update.effective_user
    chat_id = chat.id if chat is not None else user.id if user is not None else None
    if chat_id is None:
        return
    await context.bot.send_message(chat_id, text, reply_markup=reply_markup)


async def replace_text(
    update: Update, context: CareContext, query: CallbackQuery, text: str
) -> None:
    """Put `text` in place of the message under which a button was pressed (its buttons go);
    if that message cannot be edited any more, send `text` as a new message."""
    try:
        await replace_message(query, text)
    except TelegramError as error:
        log.info("could not edit a message under a button (%s); sending anew", error.message)
        await tell(update, context, text)


async def set_buttons(query: CallbackQuery, reply_markup: InlineKeyboardMarkup | None) -> None:
    """Change (or with None, remove) the buttons under the pressed message; a message that
    cannot be edited any more keeps its buttons, which then answer honestly when pressed."""
    try:
        await query.edit_message_reply_markup(reply_markup)
    except TelegramError as error:
        log.info("could not change the buttons under a message: %s", error.message)
