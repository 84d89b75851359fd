"""Posting to the staff of one channel: its staff group when there is one, else each of its
staff members privately, each chat in its own language (bot/desk/alerts.py decides which
chats). What a patient wrote goes to the staff of the messenger they wrote from; the morning
sheet goes to every channel's staff."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import TelegramError

from bot.common.staff_language import voice_in
from bot.common.staff_voice import Voice
from bot.desk.alerts import chat_language, staff_targets
from bot.services import Services
from care.alerts.posts import Post

log = logging.getLogger(__name__)

Render = Callable[[Voice], tuple[str, InlineKeyboardMarkup | None]]


async def post_to_staff(
    services: Services,
    channel: str,
    render: Render,
    *,
    reply_to: dict[int, int] | None = None,
) -> list[Message]:
    """Send what `render` gives for each staff chat on `channel`; the messages that went out.
    `reply_to`: in each chat, the message this one answers (an alert, a header)."""
    bot = services.bot_of(channel)
    if bot is None:
        return []
    posted = []
    for _, chat_id, lang in await services.db.run(staff_targets, services, [channel]):
        text, markup = render(voice_in(services, lang))
        answered = (reply_to or {}).get(chat_id)
        try:
            posted.append(
                await bot.send_message(
                    chat_id,
                    text,
                    reply_markup=markup,
                    reply_parameters=_reply(answered),
                )
            )
        except TelegramError as error:
            log.error("could not post to staff chat %s: %s", chat_id, error)
    return posted


async def copy_to(bot: Bot, header: Message, from_chat: int, message_id: int) -> int | None:
    """The patient's photo or voice message itself, by Telegram's file id (the bot stores no
    copy), under its header."""
    try:
        copied = await bot.copy_message(
            header.chat_id,
            from_chat,
            message_id,
            reply_parameters=_reply(header.message_id),
        )
    except TelegramError as error:
        log.error("could not copy a patient's message to staff chat %s: %s", header.chat_id, error)
        return None
    return copied.message_id


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


async def chat_voice(services: Services, post: Post) -> Voice:
    """How to speak in a staff chat the bot posted to: the group's language, or the member's."""
    lang = await services.db.run(chat_language, services, post.channel, post.chat_id)
    return voice_in(services, lang)
