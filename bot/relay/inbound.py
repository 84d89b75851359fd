"""A linked patient's own words, photos and voice notes reach the staff chat of the messenger
they wrote from (Telegram's staff for Telegram, Bale's for Bale: a chat id belongs to one
messenger, and a staff answer goes back the way the patient came).

Headed by who they are and their next session, with Reply and the card's button under it;
the patient is told it arrived and when to expect an answer. Strangers' messages are never
passed on: they get the menu and the clinic's phone as before (bot/common/fallback.py).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.common.patient_view import say
from bot.common.staff_voice import Voice
from bot.relay import buttons
from bot.relay.posting import chat_voice, copy_to, post_to_staff
from bot.services import CareContext, Services
from care.alerts.posts import latest_for_patient
from care.alerts.posts import posts_of as alert_posts_of
from care.core.clock import to_epoch
from care.core.dates import format_date, format_time
from care.core.models import Appointment, Patient
from care.relay.inbound import Inbound, Route, take_message
from care.relay.photos import ALERT_KINDS, PHOTO_WINDOW
from care.relay.posts import posts_of as relay_posts_of
from care.relay.posts import record_post as record_relay_post

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 3500  # of the patient's text shown under the header, in characters


def kind_of(message: Message) -> str | None:
    if message.photo:
        return "photo"
    if message.voice:
        return "voice"
    if message.text:
        return "text"
    return None


async def relay_from_patient(update: Update, context: CareContext, message: Message) -> bool:
    """Pass the message on if its sender is a linked patient; False for anyone else."""
    chat = update.effective_chat
    kind = kind_of(message)
    if chat is None or kind is None:
        return False
    services = context.services
    now = services.clock.now()
    inbound = await services.db.run(take_message, context.channel, chat.id, kind, now)
    if inbound is None:
        return False
    log.info("patient %d wrote (%s, %s)", inbound.patient.id, kind, inbound.route.value)
    match inbound.route:
        case Route.RELAY:
            await _relay(context, services, inbound, message, kind)
        case Route.FLOOD_STARTS:
            await _flood_notice(context, services, inbound)
        case Route.HELD:
            await _count_held(context, services, inbound)
    if inbound.acknowledge:
        await message.reply_text(_receipt(services, inbound))
    return True


async def _relay(
    context: CareContext, services: Services, inbound: Inbound, message: Message, kind: str
) -> None:
    patient, visit = inbound.patient, inbound.next_visit
    reply_to: dict[int, int] = {}
    header = f"relay_staff.{kind}"
    if kind == "photo":
        reply_to = await _alert_posts(services, context.channel, patient)
        header = "relay_staff.photo_for_alert" if reply_to else header

    def render(voice: Voice) -> tuple[str, InlineKeyboardMarkup | None]:
        values = {"who": _who(voice, patient), "visit": _visit(voice, visit)}
        if kind == "text":
            values["message"] = (message.text or "")[:MESSAGE_LIMIT]
        keyboard = buttons.keyboard(voice, inbound.relayed_id, patient.id)
        return voice(header, **values), keyboard

    channel = context.channel
    posts = await post_to_staff(services, channel, render, reply_to=reply_to)
    for post in posts:
        await services.db.run(
            record_relay_post, channel, post.chat_id, post.message_id, inbound.relayed_id
        )
        if kind != "text":
            copied = await copy_to(context.bot, post, message.chat_id, message.message_id)
            if copied is not None:
                await services.db.run(
                    record_relay_post, channel, post.chat_id, copied, inbound.relayed_id
                )


async def _alert_posts(services: Services, channel: str, patient: Patient) -> dict[int, int]:
    """Where the patient's recent check-in alert sits in each staff chat on `channel`: a photo
    after it goes there as a reply."""
    since = to_epoch(services.clock.now() - PHOTO_WINDOW)
    alert = await services.db.run(latest_for_patient, patient.id, ALERT_KINDS, since)
    if alert is None:
        return {}
    posts = await services.db.run(alert_posts_of, alert.id)
    return {post.chat_id: post.message_id for post in posts if post.channel == channel}


async def _flood_notice(context: CareContext, services: Services, inbound: Inbound) -> None:
    assert inbound.flood_id is not None
    channel = context.channel
    posts = await post_to_staff(
        services,
        channel,
        lambda voice: (_flood_text(voice, inbound), _flood_keys(voice, inbound)),
    )
    for post in posts:
        await services.db.run(
            record_relay_post, channel, post.chat_id, post.message_id, inbound.flood_id
        )


async def _count_held(context: CareContext, services: Services, inbound: Inbound) -> None:
    """One notice per flood: its count goes up, no new message is posted."""
    assert inbound.flood_id is not None
    for post in await services.db.run(relay_posts_of, inbound.flood_id):
        bot = services.bot_of(post.channel)  # the notice's own messenger, whoever wrote now
        if bot is None:
            continue
        voice = await chat_voice(services, post)
        try:
            await bot.edit_message_text(
                _flood_text(voice, inbound),
                chat_id=post.chat_id,
                message_id=post.message_id,
                reply_markup=_flood_keys(voice, inbound),
            )
        except TelegramError as error:
            log.warning("could not update a flood notice in chat %s: %s", post.chat_id, error)


def _flood_text(voice: Voice, inbound: Inbound) -> str:
    return voice(
        "relay_staff.flood",
        who=_who(voice, inbound.patient),
        count=inbound.held,
        visit=_visit(voice, inbound.next_visit),
    )


def _flood_keys(voice: Voice, inbound: Inbound) -> InlineKeyboardMarkup:
    assert inbound.flood_id is not None
    return buttons.keyboard(voice, inbound.flood_id, inbound.patient.id)


def _who(voice: Voice, patient: Patient) -> str:
    return voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)


def _visit(voice: Voice, visit: Appointment | None) -> str:
    if visit is None:
        return voice("relay_staff.no_visit")
    return voice("relay_staff.visit", appointment_id=visit.id, starts=visit.starts_at)


def _receipt(services: Services, inbound: Inbound) -> str:
    """It reached the clinic, and when staff will read it: now, or at the next opening."""
    lang = inbound.patient.language
    if inbound.route is Route.FLOOD_STARTS:
        return say(services, lang, "relay.flood")
    working = services.settings.working_time
    now = services.clock.now()
    if working.is_open(now):
        return say(services, lang, "relay.received_open")
    opening = working.next_opening(now).astimezone(working.tz)
    return services.catalog.text(
        lang,
        "relay.received_closed",
        **services.composer.clinic_values(),
        opening_day=format_date(opening.date(), lang),
        opening_time=format_time(opening.time(), lang),
    )
