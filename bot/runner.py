"""Serving the application without needing the network to start.

python-telegram-bot's `run_polling` gets the bot's identity and deletes any webhook before
anything else runs, and gives up (a traceback, exit 1) when Telegram cannot be reached: in
Iran, at any start during a shutdown. Here the database, the schedule and the sender start at
once; polling starts in the background as soon as Telegram answers, asked again with growing
waits (the channel's health logs each change of state once). A refused token still stops the
bot, as a clear exit 2 (`TokenRefusedError` names the channel).

With Bale set, the same process serves two applications in one event loop, one per channel
(python-telegram-bot's `initialize`, `start` and `updater.start_polling` called by hand for
each, as `run_polling` would for one): they share the services, the database and the sender,
and each channel connects and polls on its own, so one being down never holds the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.services import CareApp
from jobs.channels.health import ChannelHealth
from jobs.channels.telegram import PatientBot

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
# A getMe that got an answer but no identity (a 5xx) has no growing wait of its own.
_ANSWERED_BUT_FAILED_WAIT = 5.0

Connected = Callable[[], Awaitable[None]]


class TokenRefusedError(Exception):
    """A channel's server refused the bot's token: a clear exit 2, naming the channel."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel)
        self.channel = channel


@dataclass(frozen=True)
class Lane:
    """One channel's application, its health, and what runs once that channel answers."""

    application: CareApp
    health: ChannelHealth
    on_connected: Connected


def run_until_stopped(lanes: Sequence[Lane]) -> None:
    """Serve every channel until SIGINT, SIGTERM or SIGABRT. The first lane's application is
    the main one: it opens the database and runs the sender (post_init) before any channel
    polls, and closes them last."""
    asyncio.run(_serve(lanes))


async def _serve(lanes: Sequence[Lane]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    main = lanes[0].application
    assert main.post_init is not None and main.post_shutdown is not None
    started: list[CareApp] = []
    opened = False
    try:
        for lane in lanes:
            await _initialize(lane.application)
            started.append(lane.application)
        opened = True
        await main.post_init(main)
        for lane in lanes:
            await lane.application.start()
        connects: set[asyncio.Task[object]] = {
            asyncio.create_task(_connect_then_poll(lane)) for lane in lanes
        }
        stopped: asyncio.Task[object] = asyncio.create_task(stop.wait())
        pending: set[asyncio.Task[object]] = {*connects, stopped}
        while stopped in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopped}:
                task.result()  # a refused token raises here
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await _wind_down(started, opened)


async def _initialize(application: CareApp) -> None:
    try:
        await application.initialize()
    except InvalidToken:
        raise TokenRefusedError(_channel_of(application)) from None


async def _connect_then_poll(lane: Lane) -> None:
    application, health = lane.application, lane.health
    bot = application.bot
    assert isinstance(bot, PatientBot) and application.updater is not None
    try:
        if not bot.identified:  # the channel did not answer at start-up
            while not bot.identified:
                await asyncio.sleep(health.retry_in() or _ANSWERED_BUT_FAILED_WAIT)
                await bot.identify()
            await lane.on_connected()
        # From here on, a lost connection is the updater's to retry (waits growing to 30 s).
        await application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1, error_callback=_polling_failed
        )
    except InvalidToken:
        raise TokenRefusedError(_channel_of(application)) from None


def _channel_of(application: CareApp) -> str:
    return str(application.bot_data.get("channel", "telegram"))


def _polling_failed(error: TelegramError) -> None:
    """The updater could not get updates; it tries again by itself."""
    if not isinstance(error, NetworkError):  # a lost network is the health's to log, once
        log.warning("getting updates failed: %s", error.message)


async def _wind_down(applications: list[CareApp], opened: bool) -> None:
    """As run_polling stops: updates first (every channel), then delivery (the main
    application's CareApplication.stop), then the database (post_shutdown)."""
    for application in applications:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
    for application in reversed(applications):
        if application.running:
            await application.stop()
    if opened and applications[0].post_shutdown is not None:
        await applications[0].post_shutdown(applications[0])
    for application in reversed(applications):
        await application.shutdown()
