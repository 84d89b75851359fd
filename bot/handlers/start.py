"""/start: a patient opens their invite link, or comes back."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update

from bot.patient_view import say, upcoming, welcome
from bot.services import CareContext
from care.db import patients
from care.db.connection import transaction
from care.enrolment import LinkOutcome, redeem_invite
from care.models import Appointment, Patient, PatientStatus

log = logging.getLogger(__name__)


async def start_with_token(update: Update, context: CareContext) -> None:
    """`/start <token>` in a private chat: link this chat to the invited patient."""
    assert update.effective_message is not None and update.effective_chat is not None
    services = context.services
    token = (context.args or [""])[0]
    chat_id = update.effective_chat.id
    lang = services.settings.default_language
    now = services.clock.now()
    if services.invite_failures.blocked(chat_id, now):
        log.info("invite attempts from a chat are paused after repeated failures")
        await update.effective_message.reply_text(say(services, lang, "patient.too_many_attempts"))
        return
    result = await services.db.run(redeem_invite, token, chat_id=chat_id, now=now)
    if result.outcome in (LinkOutcome.INVALID, LinkOutcome.OTHER_CHAT):
        services.invite_failures.failed(chat_id, now)
    if result.outcome is LinkOutcome.LINKED and result.patient is not None:
        log.info("patient %d linked a chat", result.patient.id)
        services.delivery.poke()
        await _welcome(update, context, result.patient)
    elif result.outcome is LinkOutcome.ALREADY_LINKED:
        await start_plain(update, context)
    elif result.outcome is LinkOutcome.OTHER_CHAT:
        log.info("an invite was opened from a second Telegram account; refused")
        await update.effective_message.reply_text(say(services, lang, "patient.invite_other_chat"))
    else:
        log.info("an invalid, used or expired invite was opened")
        await update.effective_message.reply_text(say(services, lang, "patient.invite_invalid"))


async def start_plain(update: Update, context: CareContext) -> None:
    """A bare /start: welcome back a patient (resuming their messages), guide anyone else."""
    assert update.effective_message is not None and update.effective_chat is not None
    services = context.services
    patient = await services.db.run(_resume, update.effective_chat.id)
    if patient is None:
        text = say(services, services.settings.default_language, "patient.start_unknown")
        await update.effective_message.reply_text(text)
        return
    services.delivery.poke()
    await _welcome(update, context, patient)


async def _welcome(update: Update, context: CareContext, patient: Patient) -> None:
    assert update.effective_message is not None
    services = context.services
    booked: list[Appointment] = await services.db.run(upcoming, patient.id, services.clock.now())
    await update.effective_message.reply_text(welcome(services, patient, booked))


def _resume(conn: sqlite3.Connection, chat_id: int) -> Patient | None:
    """A patient who comes back after blocking the bot is reachable again."""
    with transaction(conn):
        patient = patients.by_chat(conn, chat_id)
        if patient is not None and patient.status is PatientStatus.UNREACHABLE:
            patients.set_status(conn, patient.id, PatientStatus.ACTIVE)
    return patient
