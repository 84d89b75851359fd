"""Serving the application without needing the network to start.

python-telegram-bot's `run_polling` gets the bot's identity and deletes any webhook before
anything else runs, and gives up (a traceback, exit 1) when Telegram cannot be reached: in
Iran, at any start during a shutdown. Here the database, the schedule and the sender start at
once; polling starts in the background as soon as Telegram answers, asked again with growing
waits (the channel's health logs each change of state once). A refused token still stops the
bot, as a clear exit 2 (`InvalidToken` reaches the caller).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.services import CareApp
from jobs.channels.health import ChannelHealth
from jobs.channels.telegram import PatientBot

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
# A getMe that got an answer but no identity (a 5xx) has no growing wait of its own.
_ANSWERED_BUT_FAILED_WAIT = 5.0

Connected = Callable[[], Awaitable[None]]


def run_until_stopped(application: CareApp, health: ChannelHealth, on_connected: Connected) -> None:
    """Serve until SIGINT, SIGTERM or SIGABRT; `on_connected` runs once Telegram answers."""
    asyncio.run(_serve(application, health, on_connected))


async def _serve(application: CareApp, health: ChannelHealth, on_connected: Connected) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    assert application.post_init is not None and application.post_shutdown is not None
    await application.initialize()
    try:
        await application.post_init(application)
        await application.start()
        connect = asyncio.create_task(_connect_then_poll(application, health, on_connected))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({connect, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if connect in done:
            connect.result()  # a refused token raises here
            await stopped
        for task in (connect, stopped):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await _wind_down(application)


async def _connect_then_poll(
    application: CareApp, health: ChannelHealth, on_connected: Connected
) -> None:
    bot = application.bot
    assert isinstance(bot, PatientBot) and application.updater is not None
    if not bot.identified:  # Telegram did not answer at start-up
        while not bot.identified:
            await asyncio.sleep(health.retry_in() or _ANSWERED_BUT_FAILED_WAIT)
            await bot.identify()
        await on_connected()
    # From here on, a lost connection is the updater's to retry (waits growing to 30 s).
    await application.updater.start_polling(
        allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1, error_callback=_polling_failed
    )


def _polling_failed(error: TelegramError) -> None:
    """The updater could not get updates; it tries again by itself."""
    if not isinstance(error, NetworkError):  # a lost network is the health's to log, once
        log.warning("getting updates failed: %s", error.message)


async def _wind_down(application: CareApp) -> None:
    """As run_polling stops: updates first, then delivery (CareApplication.stop), then the
    database (post_shutdown)."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()
