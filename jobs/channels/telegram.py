"""Telegram as a channel: its requests (through a proxy if one is set) report to its health,
and its bot starts even when Telegram cannot be reached yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from care.core.channels import TELEGRAM
from jobs.channels.base import Channel, DeepLink
from jobs.channels.health import ChannelHealth
from jobs.pacing import Pacer
from jobs.transport import TelegramTransport

TELEGRAM_ROOT = "https://api.telegram.org"
# python-telegram-bot's own defaults: many connections for sending, one for getUpdates.
_SEND_POOL = 256
_UPDATES_POOL = 1


class ObservedRequest(BaseRequest):
    """Every request to the channel tells its health whether it got through, whatever carries
    it (HTTP, or the tests' in-process recorder)."""

    def __init__(self, health: ChannelHealth, inner: BaseRequest) -> None:
        self._health = health
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            answer = await self._inner.do_request(*args, **kwargs)
        except TimedOut as error:
            # A full connection pool is this process's own congestion, not the network's.
            if not error.message.startswith("Pool timeout"):
                self._health.failed(f"timed out: {error.message}")
            raise
        except NetworkError as error:
            self._health.failed(f"{type(error).__name__}: {error.message}")
            raise
        self._health.answered()
        return answer


class PatientBot(ExtBot[None]):
    """A bot whose start does not need the network: when getMe cannot get through, the
    application starts anyway and the poller (bot/runner.py) tries getMe again with growing
    waits. A refused token still fails at once (InvalidToken is no NetworkError)."""

    _identified = False
    _channel = TELEGRAM

    @property
    def channel(self) -> str:
        """The channel's name, as stored with chats and deliveries."""
        return self._channel

    @property
    def identified(self) -> bool:
        """getMe has answered: bot.username is known."""
        return self._identified

    @property
    def id(self) -> int:
        """Known without getMe: a token starts with its bot's id (python-telegram-bot names
        its tasks after it at start)."""
        return int(self.token.split(":", 1)[0])

    async def initialize(self) -> None:
        try:
            await super().initialize()
        except NetworkError:
            return  # the health has logged it once; the poller asks again with `identify`
        self._identified = True

    async def identify(self) -> bool:
        """Ask getMe again; True once it has answered."""
        try:
            await self.get_me()
        except NetworkError:
            return False
        self._identified = True
        return True


def telegram_bot(
    token: str,
    *,
    health: ChannelHealth,
    api_root: str | None,
    proxy: str | None,
    timeout: float,
    rate_limiter: BaseRateLimiter[None],
    requests: Callable[[], BaseRequest] | None = None,
) -> PatientBot:
    """The bot for Telegram (or a Bot API server at `api_root`), every call through `proxy`,
    getUpdates included. `requests` makes the bot's request objects instead (the tests' in-process
    recorder, which answers without a network)."""
    return bot_api_bot(
        token,
        channel=TELEGRAM,
        root=api_root or TELEGRAM_ROOT,
        health=health,
        proxy=proxy,
        timeout=timeout,
        rate_limiter=rate_limiter,
        requests=requests,
    )


def bot_api_bot(
    token: str,
    *,
    channel: str,
    root: str,
    health: ChannelHealth,
    proxy: str | None,
    timeout: float,
    rate_limiter: BaseRateLimiter[None],
    requests: Callable[[], BaseRequest] | None = None,
) -> PatientBot:
    """A bot for any server with Telegram's Bot API shape at `root` (Telegram's, Bale's)."""
    root = root.rstrip("/")

    def request(pool: int) -> BaseRequest:
        if requests is not None:
            return ObservedRequest(health, requests())
        return ObservedRequest(
            health,
            HTTPXRequest(
                connection_pool_size=pool,
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
                proxy=proxy,
            ),
        )

    bot = PatientBot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request(_SEND_POOL),
        get_updates_request=request(_UPDATES_POOL),
        rate_limiter=rate_limiter,
    )
    bot._channel = channel
    return bot


def start_link(host: str, bot: PatientBot) -> DeepLink:
    """`https://<host>/<bot>?start=<payload>`, once getMe has told the bot's username."""

    def link(payload: str) -> str | None:
        return f"https://{host}/{bot.username}?start={payload}" if bot.identified else None

    return link


def telegram_channel(bot: PatientBot, health: ChannelHealth, pacer: Pacer) -> Channel:
    return Channel(
        name=TELEGRAM,
        transport=TelegramTransport(bot),
        pacer=pacer,
        health=health,
        deep_link=start_link("t.me", bot),
    )
