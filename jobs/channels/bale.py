"""Bale as a channel: a domestic messenger whose Bot API has Telegram's shape
(docs/bale.md), so python-telegram-bot drives it through its base URL.

What differs and is respected here rather than discovered: links open `ble.ir`; there are no
command menus (setMyCommands answers 404, which python-telegram-bot reports as a refused
token); only Bale's own Markdown is a parse mode, and care messages go as plain text anyway;
groups are never supergroups. Bale is domestic: no proxy.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest

from jobs.channels.base import Channel
from jobs.channels.health import ChannelHealth
from jobs.channels.telegram import PatientBot, bot_api_bot, start_link
from jobs.pacing import Pacer
from jobs.transport import TelegramTransport

BALE = "bale"
BALE_ROOT = "https://tapi.bale.ai"
LINK_HOST = "ble.ir"


def bale_bot(
    token: str,
    *,
    health: ChannelHealth,
    api_root: str | None,
    timeout: float,
    rate_limiter: BaseRateLimiter[None],
    requests: Callable[[], BaseRequest] | None = None,
) -> PatientBot:
    """The bot for Bale's Bot API at `api_root`; `requests` as for `telegram_bot`."""
    return bot_api_bot(
        token,
        channel=BALE,
        root=api_root or BALE_ROOT,
        health=health,
        proxy=None,
        timeout=timeout,
        rate_limiter=rate_limiter,
        requests=requests,
    )


def bale_channel(bot: PatientBot, health: ChannelHealth, pacer: Pacer) -> Channel:
    return Channel(
        name=BALE,
        transport=TelegramTransport(bot),
        pacer=pacer,
        health=health,
        deep_link=start_link(LINK_HOST, bot),
        command_menus=False,
    )
