"""/channel: the patient chooses the messenger their messages come by, among those they are
linked on; one linked on a single messenger is told how to add the other."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common import names
from bot.common.patient_view import say
from bot.common.staff_language import voice_in
from bot.patient.channel_buttons import decode, encode
from bot.patient.common import patient_only, replace_text, tell
from bot.services import CareContext, Services
from care.core.models import Patient
from care.people.patient_choices import choose_channel as remember_channel
from care.people.patient_choices import linked_channels

log = logging.getLogger(__name__)


def channel_name(services: Services, lang: str, channel: str) -> str:
    return names.channel_name(voice_in(services, lang), channel)


@patient_only
async def channel(update: Update, context: CareContext, patient: Patient) -> None:
    """/channel: the linked channels, the preferred one marked, a button for each."""
    services, lang = context.services, patient.language
    linked = await services.db.run(linked_channels, patient.id) or (context.channel,)
    current = channel_name(services, lang, linked[0])
    if len(linked) < 2:
        await tell(update, context, _one_channel(services, lang, linked[0]))
        return
    rows = [
        [
            InlineKeyboardButton(
                services.catalog.text(
                    lang,
                    "channels.patient_chosen" if name == linked[0] else "channels.patient_other",
                    channel=channel_name(services, lang, name),
                ),
                callback_data=encode(name),
            )
        ]
        for name in linked
    ]
    text = services.catalog.text(lang, "channels.patient_prompt", channel=current)
    await tell(update, context, text, InlineKeyboardMarkup(rows))


def _one_channel(services: Services, lang: str, linked: str) -> str:
    """Where the messages come, and the other messenger the clinic serves, if there is one."""
    other = next((c.name for c in services.channels if c.name != linked), None)
    here = channel_name(services, lang, linked)
    if other is None:
        return services.catalog.text(lang, "channels.patient_only_here", channel=here)
    return services.catalog.text(
        lang,
        "channels.patient_only_one",
        channel=here,
        other=channel_name(services, lang, other),
    )


@patient_only
async def choose_channel(update: Update, context: CareContext, patient: Patient) -> None:
    """A channel button: the next message goes by it; a forged or stale one changes nothing."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services, lang = context.services, patient.language
    chosen = decode(query.data)
    chose = None
    if chosen is not None:
        chose = await services.db.run(
            remember_channel,
            query.from_user.id,
            chosen,
            now=services.clock.now(),
            channel=context.channel,
        )
    if chosen is None or chose is None:
        await tell(update, context, say(services, lang, "patient.button_stale"))
        return
    log.info("patient %d chose a channel", chose.id)
    text = services.catalog.text(
        lang, "channels.patient_set", channel=channel_name(services, lang, chosen)
    )
    await replace_text(update, context, query, text)
