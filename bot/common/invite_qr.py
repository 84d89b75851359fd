"""Invite links as staff hand them over: the link itself and a QR code to scan at the desk.

With two channels an invite carries a link for each (Telegram's t.me, Bale's ble.ir, the same
single-use token: it links each messenger once) and a QR code for each, captioned with the
messenger's name: the patient scans the one for the messenger they have. One page listing
both would need a web server reachable from Iran, one more thing for a clinic to run."""

from __future__ import annotations

import io

import segno
from telegram import Bot, InputFile

from bot.common.staff_voice import Voice
from jobs.channels.base import Channels

_QR_SCALE = 10  # pixels a module: about 400 px across for a typical link, easy to scan
_QR_BORDER = 4  # the quiet zone the QR standard asks for


Links = list[tuple[str, str]]  # (channel name, link), the main channel's first


def invite_links(channels: Channels, payload: str) -> Links:
    """A link for each channel whose bot has told its username (getMe)."""
    links = [(channel.name, channel.deep_link(payload)) for channel in channels]
    return [(name, link) for name, link in links if link is not None]


def links_text(voice: Voice, links: Links) -> str:
    """One link as it is; several, one a line, each with its messenger's name."""
    if len(links) == 1:
        return links[0][1]
    return "\n".join(
        voice("channels.link", channel=voice(f"channels.{name}"), link=link) for name, link in links
    )


def qr_png(link: str) -> bytes:
    """A PNG of the link as a QR code (error correction M: survives a smudged print)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=_QR_SCALE, border=_QR_BORDER)
    return buffer.getvalue()


async def send_qrs(bot: Bot, chat_id: int, voice: Voice, links: Links, caption: str) -> None:
    """A QR code for each link; with several, each caption names its messenger."""
    for name, link in links:
        text = caption
        if len(links) > 1:
            text = voice("channels.qr_caption", caption=caption, channel=voice(f"channels.{name}"))
        await bot.send_photo(
            chat_id, photo=InputFile(qr_png(link), filename="invite.png"), caption=text
        )
