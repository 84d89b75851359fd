"""Invite links as staff hand them over: the link itself and a QR code to scan at the desk."""

from __future__ import annotations

import io

import segno
from telegram import Bot, InputFile

_QR_SCALE = 10  # pixels a module: about 400 px across for a typical link, easy to scan
_QR_BORDER = 4  # the quiet zone the QR standard asks for


def invite_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def qr_png(link: str) -> bytes:
    """A PNG of the link as a QR code (error correction M: survives a smudged print)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=_QR_SCALE, border=_QR_BORDER)
    return buffer.getvalue()


async def send_qr(bot: Bot, chat_id: int, link: str, caption: str) -> None:
    await bot.send_photo(
        chat_id, photo=InputFile(qr_png(link), filename="invite.png"), caption=caption
    )
