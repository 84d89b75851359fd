"""The one way a handler shows something new in place of the message whose button was
pressed."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest


async def replace_message(
    query: CallbackQuery | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text`, with `markup` under it (None: no buttons), in place of the pressed
    message. A second tap may ask for the very same text, which Telegram refuses as "not
    modified": that is fine. Any other refusal is raised for the caller (or the error
    handler) to deal with."""
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
