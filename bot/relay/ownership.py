"""Every alert has an owner: "I'll handle it" takes it (first tap wins, every copy of the alert
says who and since when), "Done" closes it; /alerts lists the open ones, oldest first."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.common.access import staff_only
from bot.common.names import channel_name
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import alert_buttons
from bot.desk.alert_buttons import OwnerAction
from bot.desk.alerts import describe
from bot.relay.posting import chat_voice
from bot.services import CareContext, Services
from care.alerts.outbox import AlertRow
from care.alerts.ownership import Change, Outcome, close, take
from care.alerts.posts import OwnedAlert, count_open, open_alerts, posts_of
from care.core.clock import from_epoch
from care.core.models import AlertKind
from care.people.lookup import patient_record

log = logging.getLogger(__name__)

LIST_LIMIT = 30


@staff_only
async def press(update: Update, context: CareContext) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    voice = await staff_voice(update, context)
    button = alert_buttons.decode(query.data or "")
    if button is None:
        await query.answer(voice("desk.invalid_button"), show_alert=True)
        return
    now = services.clock.now()
    if button.action is OwnerAction.TAKE:
        change = await services.db.run(
            take,
            button.alert_id,
            user_id=user.id,
            channel=context.channel,
            name=user.full_name,
            now=now,
        )
    else:
        admin = user.id in services.admin_ids(context.channel)
        change = await services.db.run(
            close,
            button.alert_id,
            user_id=user.id,
            channel=context.channel,
            admin=admin,
            now=now,
        )
    if change.outcome is not Outcome.DONE or change.alert is None:
        await query.answer(_refusal(voice, button.action, change), show_alert=True)
        return
    await query.answer()
    log.info(
        "staff %d on %s %s alert %d",
        user.id,
        context.channel,
        button.action.value,
        button.alert_id,
    )
    await show_owner(context, services, change.alert)


def _refusal(voice: Voice, action: OwnerAction, change: Change) -> str:
    """Why the tap changed nothing: someone else has it (and since when), it is closed, gone,
    or not taken yet."""
    alert = change.alert
    if change.outcome is Outcome.TAKEN_BY_OTHER and alert is not None:
        name = alert.owner_name or ""
        if action is OwnerAction.DONE:
            return voice("ownership.not_owner", staff_name=name)
        at = voice.clock(from_epoch(alert.taken_at or alert.created_at))
        return voice("ownership.taken_by", staff_name=name, at=at)
    if change.outcome is Outcome.NOT_TAKEN:
        return voice("ownership.not_taken")
    if change.outcome is Outcome.CLOSED:
        return voice("ownership.already_closed")
    return voice("ownership.missing")


async def show_owner(context: CareContext, services: Services, alert: OwnedAlert) -> None:
    """Every copy of the alert (the staff chat, escalations) shows who has it, or who closed it."""
    for post in await services.db.run(posts_of, alert.id):
        bot = services.bot_of(post.channel)  # each copy through its own messenger
        if bot is None:
            continue
        chat_id, message_id = post.chat_id, post.message_id
        voice = await chat_voice(services, post)
        text = await alert_text(services, voice, alert)
        action = OwnerAction.DONE if alert.closed_at is None else None
        markup = alert_buttons.keyboard(voice, alert.id, alert.patient_id, action=action)
        try:
            await bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramError as error:
            log.warning("could not update alert %d in chat %s: %s", alert.id, chat_id, error)


async def alert_text(services: Services, voice: Voice, alert: OwnedAlert) -> str:
    """The alert as first posted, then who has it or who closed it."""
    text = await services.db.run(describe, as_row(alert), voice)
    if alert.owner_name is None or alert.taken_at is None:
        return text
    if alert.closed_at is None:
        at = voice.clock(from_epoch(alert.taken_at))
        return voice("ownership.taken", text=text, staff_name=alert.owner_name, at=at)
    at = voice.clock(from_epoch(alert.closed_at))
    return voice("ownership.closed", text=text, staff_name=alert.owner_name, at=at)


def as_row(alert: OwnedAlert) -> AlertRow:
    return AlertRow(alert.id, alert.kind, alert.patient_id, alert.appointment_id, alert.urgent)


@staff_only
async def list_open(update: Update, context: CareContext) -> None:
    """/alerts: the open alerts, oldest first, each with who has it."""
    message = update.effective_message
    assert message is not None
    services = context.services
    voice = await staff_voice(update, context)
    listed = await services.db.run(open_alerts, LIST_LIMIT)
    if not listed:
        await message.reply_text(voice("ownership.list_none"))
        return
    total = await services.db.run(count_open)
    lines = [voice("ownership.list_title", count=total)]
    for alert in listed:
        lines.append(await alert_line(services, voice, alert, "ownership.list_line"))
    if total > len(listed):
        lines.append(voice("ownership.list_more", count=total - len(listed)))
    await message.reply_text("\n".join(lines))


async def alert_line(services: Services, voice: Voice, alert: OwnedAlert, key: str) -> str:
    """One alert on one line: number, raised when, whom about, what, and its owner."""
    patient = None
    if alert.patient_id is not None:
        patient = await services.db.run(patient_record, alert.patient_id)
    who = (
        voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
        if patient is not None
        else voice("alerts.patient", patient_id=alert.patient_id or 0)
    )
    return voice(
        key,
        alert_id=alert.id,
        when=from_epoch(alert.created_at),
        who=who,
        what=voice(f"alerts.{AlertKind(alert.kind).value}"),
        owner=owner_label(services, voice, alert),
    )


def owner_label(services: Services, voice: Voice, alert: OwnedAlert) -> str:
    """Who has the alert; with their messenger when the bot serves more than one, since a
    name (and an id) on one messenger says nothing of the other."""
    if alert.owner_name is None:
        return voice("ownership.nobody")
    if len(services.apps) > 1 and alert.owner_channel is not None:
        return voice(
            "ownership.handled_by_on",
            staff_name=alert.owner_name,
            channel=channel_name(voice, alert.owner_channel),
        )
    return voice("ownership.handled_by", staff_name=alert.owner_name)
