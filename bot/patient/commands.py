"""The patient's own commands: /appointments, /care, /faq, /help."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.patient_view import appointments_text, faq_question, say
from bot.patient import faq_buttons
from bot.patient.common import patient_only, tell
from bot.services import CareContext
from care.content.catalog import FAQ_TOPICS
from care.core.models import Patient
from care.people.lookup import appointments_of, upcoming
from care.schedule.advice import current_advice


@patient_only
async def appointments(update: Update, context: CareContext, patient: Patient) -> None:
    """/appointments: the patient's upcoming sessions, in their calendar."""
    services = context.services
    booked = await services.db.run(upcoming, patient.id, services.clock.now())
    await tell(update, context, appointments_text(services, patient, booked))


@patient_only
async def care(update: Update, context: CareContext, patient: Patient) -> None:
    """/care: the instructions that apply right now."""
    services = context.services
    mine = await services.db.run(appointments_of, patient.id)
    keys = current_advice(mine, services.clock.now())
    text = "\n\n".join(say(services, patient.language, key) for key in keys)
    await tell(update, context, text)


@patient_only
async def faq(update: Update, context: CareContext, patient: Patient) -> None:
    """/faq: one button per common question."""
    services = context.services
    lang = patient.language
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    faq_question(services, lang, topic), callback_data=faq_buttons.encode(topic)
                )
            ]
            for topic in FAQ_TOPICS
        ]
    )
    await tell(update, context, say(services, lang, "faq.title"), keyboard)


@patient_only
async def faq_answer(update: Update, context: CareContext, patient: Patient) -> None:
    """A /faq question button: its answer."""
    assert update.callback_query is not None
    topic = faq_buttons.decode(update.callback_query.data)
    key = "patient.button_stale" if topic is None else f"faq.{topic}"
    await tell(update, context, say(context.services, patient.language, key))


@patient_only
async def help_command(update: Update, context: CareContext, patient: Patient) -> None:
    """/help: the patient's commands and the clinic's phone."""
    await tell(update, context, say(context.services, patient.language, "patient.help"))
