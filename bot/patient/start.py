"""/start: a patient opens their invite link, or comes back (bot.staff.welcome sees staff first)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.common.patient_view import say, welcome
from bot.patient.common import tell
from bot.patient.language import language_keyboard
from bot.patient.language_buttons import WELCOME
from bot.services import CareContext
from care.core.models import Appointment, Patient
from care.people.invites import LinkOutcome, redeem_invite
from care.people.lookup import upcoming
from care.people.patient_choices import come_back

log = logging.getLogger(__name__)


async def start_with_token(update: Update, context: CareContext) -> None:
    """`/start <token>` in a private chat: link this chat to the invited patient."""
    assert update.effective_message is not None and update.effective_chat is not None
    services = context.services
    token = (context.args or [""])[0]
    chat_id = update.effective_chat.id
    lang = services.settings.default_language
    now = services.clock.now()
    if services.invite_failures.blocked(context.channel, chat_id, now):
        log.info("invite attempts from a chat are paused after repeated failures")
        await update.effective_message.reply_text(say(services, lang, "patient.too_many_attempts"))
        return
    result = await services.db.run(
        redeem_invite, token, chat_id=chat_id, now=now, channel=context.channel
    )
    if result.outcome in (LinkOutcome.INVALID, LinkOutcome.OTHER_CHAT):
        services.invite_failures.failed(context.channel, chat_id, now)
    if result.outcome is LinkOutcome.LINKED and result.patient is not None:
        log.info("patient %d linked a chat on %s", result.patient.id, context.channel)
        services.awake.seen(result.patient.id, now)  # they just pressed Start
        services.schedule_changed()
        await _welcome(update, context, result.patient, offer_language=True)
    elif result.outcome is LinkOutcome.ALREADY_LINKED:
        await start_plain(update, context)
    elif result.outcome is LinkOutcome.OTHER_CHAT:
        log.info("an invite was opened from a second Telegram account; refused")
        await update.effective_message.reply_text(say(services, lang, "patient.invite_other_chat"))
    else:
        log.info("an invalid, used or expired invite was opened")
        await update.effective_message.reply_text(say(services, lang, "patient.invite_invalid"))


async def start_plain(update: Update, context: CareContext) -> None:
    """A bare /start from anyone but staff: welcome back a patient (resuming paused or held
    messages), guide anyone else."""
    assert update.effective_message is not None and update.effective_chat is not None
    services = context.services
    now = services.clock.now()
    returned = await services.db.run(
        come_back, update.effective_chat.id, now=now, channel=context.channel
    )
    if returned is None:
        text = say(services, services.settings.default_language, "patient.start_unknown")
        await update.effective_message.reply_text(text)
        return
    services.schedule_changed()
    if returned.resumed:
        log.info("patient %d resumed their messages", returned.patient.id)
        await tell(update, context, say(services, returned.patient.language, "patient.resumed"))
    await _welcome(update, context, returned.patient, offer_language=False)


async def _welcome(
    update: Update, context: CareContext, patient: Patient, *, offer_language: bool
) -> None:
    """The welcome with the patient's appointments; when they first link, with a choice of
    language under it."""
    services = context.services
    booked: list[Appointment] = await services.db.run(upcoming, patient.id, services.clock.now())
    text = welcome(services, patient, booked)
    if not offer_language:
        await tell(update, context, text)
        return
    prompt = say(services, patient.language, "patient.language_prompt")
    await tell(update, context, f"{text}\n\n{prompt}", language_keyboard(services, WELCOME))
