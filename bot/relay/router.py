"""Every message nothing earlier took: a staff answer to one of the bot's relayed messages or
alerts, a patient's comment on the score they just gave (bot/patient/comment.py), a patient's
own words for the clinic, or (for anyone else) the usual catch-all."""

from __future__ import annotations

from telegram import Update

from bot.common.access import Role, role_of
from bot.common.fallback import answer_anything
from bot.patient.comment import took_comment
from bot.relay.inbound import relay_from_patient
from bot.relay.replies import is_answer_to_us, take_staff_answer
from bot.services import CareContext


async def route(update: Update, context: CareContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if await is_answer_to_us(update, context):
        await take_staff_answer(update, context)
        return
    if chat.type != chat.PRIVATE:
        return  # the staff group's own conversation is not the bot's business
    if message.text and await took_comment(update, context):
        return
    if await role_of(update, context) is Role.PATIENT and await relay_from_patient(
        update, context, message
    ):
        return
    await answer_anything(update, context)
