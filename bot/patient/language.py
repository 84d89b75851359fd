"""The patient's language: chosen at welcome, changed with /language, remembered."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.patient_view import say, welcome
from bot.patient.common import patient_only, replace_text, tell
from bot.patient.language_buttons import MENU, LanguageButton, decode, encode
from bot.services import CareContext, Services
from care.core.languages import endonym
from care.core.models import Patient
from care.people.lookup import upcoming
from care.people.patient_choices import choose_language as remember_language

log = logging.getLogger(__name__)


def language_keyboard(services: Services, origin: str) -> InlineKeyboardMarkup:
    """One row per language, each named in itself, so anyone can find theirs."""
    catalog = services.catalog
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(endonym(lang), callback_data=_data(origin, lang))]
            for lang in catalog.languages
        ]
    )


def _data(origin: str, lang: str) -> str:
    return encode(LanguageButton(origin, lang))


@patient_only
async def language(update: Update, context: CareContext, patient: Patient) -> None:
    """/language: offer every language."""
    services = context.services
    await tell(
        update,
        context,
        say(services, patient.language, "patient.language_prompt"),
        language_keyboard(services, MENU),
    )


@patient_only
async def choose_language(update: Update, context: CareContext, patient: Patient) -> None:
    """A language button: remember the choice and confirm it in the new language."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    button = decode(query.data)
    if button is None or button.lang not in services.catalog.languages:
        await tell(update, context, say(services, patient.language, "patient.button_stale"))
        return
    origin, lang = button.origin, button.lang
    now = services.clock.now()
    chosen = await services.db.run(
        remember_language, query.from_user.id, lang, now=now, channel=context.channel
    )
    if chosen is None:  # erased between the guard and here
        return
    log.info("patient %d chose a language", chosen.id)
    confirmation = say(services, lang, "patient.language_set")
    if origin == MENU:
        await replace_text(update, context, query, confirmation)
        return
    # At welcome: the welcome itself is rewritten in the chosen language.
    booked = await services.db.run(upcoming, chosen.id, now)
    await replace_text(update, context, query, welcome(services, chosen, booked))
    await tell(update, context, confirmation)
