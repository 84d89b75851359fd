"""The record number staff type after a command: `12` or `#12`, in Latin or Persian digits."""

from __future__ import annotations

from telegram import Message

from care.core.text_input import normalize_digits


def parse_record_id(args: list[str]) -> int | None:
    """The one number typed after the command; None when that is not what was typed."""
    if len(args) != 1:
        return None
    text = normalize_digits(args[0]).removeprefix("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    return int(text)


async def record_id_or_ask(message: Message, args: list[str] | None, question: str) -> int | None:
    """The number typed after the command, or None after asking `question` again."""
    record_id = parse_record_id(args or [])
    if record_id is None:
        await message.reply_text(question)
    return record_id
