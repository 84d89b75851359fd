"""Telling a patient what the clinic changed (a new time, a cancellation, their language).

The texts come from the message catalog, in the patient's language. The notice goes out at
once, quiet hours or not: it is news about their appointment, sent because someone at the
clinic has just acted on it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from telegram.error import TelegramError

from bot.common.staff_voice import Voice
from bot.services import Services
from care.core.dates import format_date, format_time
from care.core.models import Appointment, PatientStatus
from care.desk.actions import Action, ActionResult

log = logging.getLogger(__name__)


class Told(StrEnum):
    TOLD = "told"
    NOT_NEEDED = "not_needed"
    NOT_LINKED = "not_linked"
    ON_HOLD = "on_hold"  # paused or unreachable: the bot does not write to them
    FAILED = "failed"


FOR_STAFF = {
    Told.TOLD: "desk.told",
    Told.NOT_LINKED: "desk.not_linked",
    Told.ON_HOLD: "desk.on_hold",
    Told.FAILED: "desk.notice_failed",
}


def staff_note(voice: Voice, action: Action, told: Told) -> str:
    """What staff should know about the notice; a language change needs no phone call."""
    if told is Told.NOT_NEEDED or (action is Action.LANGUAGE and told is not Told.TOLD):
        return ""
    return voice(FOR_STAFF[told])


async def tell_patient(
    services: Services, action: Action, result: ActionResult, now: datetime
) -> Told:
    """By the patient's preferred channel (a notice is not worth the care sender's fallback:
    staff see when it could not go, and call)."""
    patient = result.patient
    text = _notice(services, action, result, now)
    if text is None or patient is None:
        return Told.NOT_NEEDED
    bot = services.bot_of(patient.channel)
    if patient.chat_id is None or bot is None:
        return Told.NOT_LINKED
    if patient.status is not PatientStatus.ACTIVE:
        return Told.ON_HOLD
    try:
        await bot.send_message(patient.chat_id, text)
    except TelegramError as error:
        log.warning("could not tell patient %d of a %s: %s", patient.id, action.value, error)
        return Told.FAILED
    log.info("told patient %d of a %s", patient.id, action.value)
    return Told.TOLD


def _notice(services: Services, action: Action, result: ActionResult, now: datetime) -> str | None:
    patient, appointment = result.patient, result.appointment
    if patient is None:
        return None
    lang = patient.language
    if action is Action.RESCHEDULE and appointment is not None:
        return _about(services, lang, "patient.rescheduled", appointment)
    if action is Action.CANCEL and appointment is not None and appointment.starts_at > now:
        return _about(services, lang, "patient.cancelled", appointment)
    if action is Action.LANGUAGE:
        return services.catalog.text(lang, "patient.language_set")
    return None


def _about(services: Services, lang: str, key: str, appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(services.settings.timezone)
    return services.catalog.text(
        lang,
        key,
        **services.composer.clinic_values(),
        appointment_date=format_date(local.date(), lang),
        appointment_time=format_time(local.time(), lang),
    )
