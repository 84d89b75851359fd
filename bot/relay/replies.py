"""Staff answer a patient from the staff chat: a reply to the patient's relayed
message (or to the prompt the Reply button posts) goes to the patient in the clinic's name;
a reply to a closed alert by the one who closed it is their note for the patient's card.
Only staff can; anyone else is told so and nothing changes."""

from __future__ import annotations

import logging

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError

from bot.common.access import is_staff, role_of, staff_only
from bot.common.staff_language import staff_voice
from bot.relay import buttons
from bot.relay.posting import chat_voice
from bot.services import CareContext, Services
from care.alerts.ownership import add_note
from care.alerts.posts import alert_at
from care.relay.outbound import REPLY_LIMIT, ReplyTarget, record_reply, reply_target
from care.relay.posts import posts_of as relay_posts_of
from care.relay.posts import record_post as record_relay_post
from care.relay.posts import relayed_at, relayed_with_patient

log = logging.getLogger(__name__)


async def is_answer_to_us(update: Update, context: CareContext) -> bool:
    """Whether the message replies to a relayed message, a prompt or an alert of ours."""
    message, chat = update.effective_message, update.effective_chat
    replied = message.reply_to_message if message is not None else None
    if chat is None or replied is None:
        return False
    db = context.services.db
    return (
        await db.run(relayed_at, context.channel, chat.id, replied.message_id) is not None
        or await db.run(alert_at, context.channel, chat.id, replied.message_id) is not None
    )


async def take_staff_answer(update: Update, context: CareContext) -> None:
    """A reply in a staff chat to one of the bot's relayed messages or alerts."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    assert message.reply_to_message is not None
    voice = await staff_voice(update, context)
    if not is_staff(await role_of(update, context)):
        log.info("refused an answer to a relayed message from user %d", user.id)
        await message.reply_text(voice("relay_staff.not_staff"))
        return
    if not message.text:
        return
    services = context.services
    replied = message.reply_to_message.message_id
    target = await services.db.run(reply_target, context.channel, chat.id, replied)
    if target is not None:
        await _answer_patient(update, context, target, message.text)
        return
    alert = await services.db.run(alert_at, context.channel, chat.id, replied)
    if alert is None:
        await message.reply_text(voice("relay_staff.gone"))
        return
    noted = await services.db.run(
        add_note,
        alert.id,
        user_id=user.id,
        channel=context.channel,
        note=message.text,
        now=services.clock.now(),
    )
    if noted:
        await message.reply_text(voice("ownership.note_added"))


async def _answer_patient(
    update: Update, context: CareContext, target: ReplyTarget, text: str
) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    voice = await staff_voice(update, context)
    patient = target.patient
    who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    if len(text) > REPLY_LIMIT:
        await message.reply_text(voice("relay_staff.too_long", count=len(text), limit=REPLY_LIMIT))
        return
    words = services.catalog.text(
        patient.language, "relay.from_clinic", **services.composer.clinic_values(), reply_text=text
    )
    try:
        # The staff answered on the patient's channel (target.channel is this update's).
        await context.bot.send_message(target.chat_id, words)
    except TelegramError as error:
        log.warning("could not deliver a staff answer to patient %d: %s", patient.id, error)
        await message.reply_text(voice("relay_staff.not_sent", who=who))
        return
    now = services.clock.now()
    await services.db.run(
        record_reply, target, staff_user_id=user.id, staff_name=user.full_name, text=text, now=now
    )
    log.info("staff %d answered patient %d", user.id, patient.id)
    await _mark_answered(context, services, target, user.full_name)
    await message.reply_text(voice("relay_staff.sent", who=who))


async def _mark_answered(
    context: CareContext, services: Services, target: ReplyTarget, name: str
) -> None:
    """Every copy of the patient's message says who answered, and when."""
    now = services.clock.now()
    for post in await services.db.run(relay_posts_of, target.relayed_id):
        bot = services.bot_of(post.channel)
        if bot is None:
            continue
        voice = await chat_voice(services, post)
        label = voice("relay_staff.answered", staff_name=name, at=voice.clock(now))
        chat_id, message_id = post.chat_id, post.message_id
        try:
            await bot.edit_message_reply_markup(
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=buttons.keyboard(
                    voice, target.relayed_id, target.patient.id, answered=label
                ),
            )
        except TelegramError as error:  # a copied photo has no buttons to change
            log.info(
                "could not mark message %d in chat %s answered: %s", message_id, chat_id, error
            )


@staff_only
async def ask_for_answer(update: Update, context: CareContext) -> None:
    """The Reply button: a prompt the staff member answers with a Telegram reply (in a group
    the bot sees only replies to its own messages, so the prompt asks for one)."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    services = context.services
    voice = await staff_voice(update, context)
    relayed_id = buttons.decode(query.data or "")
    found = None if relayed_id is None else await services.db.run(relayed_with_patient, relayed_id)
    target = None
    if found is not None:
        chat_id, message_id = query.message.chat_id, query.message.message_id
        target = await services.db.run(reply_target, context.channel, chat_id, message_id)
    if found is None or target is None:
        await query.answer(voice("relay_staff.gone"), show_alert=True)
        return
    row, patient = found
    await query.answer()
    who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    prompt = await query.message.reply_text(
        voice("relay_staff.prompt", who=who), reply_markup=ForceReply(selective=False)
    )
    await services.db.run(
        record_relay_post, context.channel, prompt.chat_id, prompt.message_id, row.id
    )
