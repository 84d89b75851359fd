"""The real application served against the HTTP stand-in: its settings (also what the process
tests in tests/e2e pass to `python -m bot`), and serving it in this process from a background
thread, with the real wake clock (JobQueue timers) and the real HTTP request objects.

Most tests drive the application with tests/driver.py, which replaces both. The few that test
those two themselves (the wake clock firing when a message falls due, 429s and timeouts on the
wire, a catch-up paced against the stand-in's enforced limits: tests/jobs/test_wakeup.py,
test_faults.py, test_downtime.py) serve it here, on real time::

    with FakeBotApi() as api, InProcessBot(api, app_env(api, tmp_path)) as bot:
        api.wait_for(lambda call: call.method == "sendMessage")
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import build_application, load_care
from bot.services import CareApp, Services
from bot.settings import load_settings
from care.core.clock import Clock
from care.db.connection import connect
from jobs.retry import RetryPolicy
from tests.fakes.bot_api import MESSAGE_METHODS, ApiCall, FakeBotApi

ADMIN_ID = 1001
STAFF_ID = ADMIN_ID  # the process tests call the one admin "staff"
TOKEN = "123456:TEST-token-for-the-local-stand-in"
CLINIC_PHONE = "+98 21 1234 5678"
EMERGENCY_PHONE = "115"
POLL_TIMEOUT = timedelta(seconds=1)  # short long-polls, so stopping is quick


def app_env(api: FakeBotApi, tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Settings for a bot that talks only to `api` and keeps its database in `tmp_path`."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_IDS": str(ADMIN_ID),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}",
        "DATABASE_PATH": str(tmp_path / "mesocare.db"),
        "CLINIC_NAME": "Test Clinic",
        "CLINIC_PHONE": CLINIC_PHONE,
        "CLINIC_ADDRESS": "1 Test Street",
        "EMERGENCY_PHONE": EMERGENCY_PHONE,
        "DEFAULT_LANGUAGE": "en",
        "QUIET_HOURS": "00:00-00:00",
        "POLL_SECONDS": "1",
    }
    env.update(overrides)
    return env


def build_app(
    env: dict[str, str], *, clock: Clock | None = None, retry: RetryPolicy | None = None
) -> CareApp:
    """The application `python -m bot` builds from `env`, with the clock and retry policy."""
    settings = load_settings(env)
    protocol, catalog = load_care(settings)
    return build_application(settings, protocol=protocol, catalog=catalog, clock=clock, retry=retry)


def services_of(app: CareApp) -> Services:
    services: Services = app.bot_data["services"]
    return services


@asynccontextmanager
async def serving(app: CareApp) -> AsyncIterator[CareApp]:
    """Serve `app` (and the application of every other channel it has: Bale's, when set)
    until the block ends, started and stopped in the order `run_polling` uses (initialize,
    post_init, polling, start ... updater.stop, stop, shutdown, post_shutdown)."""
    assert app.post_init is not None and app.post_shutdown is not None
    every = [app, *(other for other in services_of(app).apps.values() if other is not app)]
    for each in every:
        await each.initialize()
    await app.post_init(app)  # run_polling would call it: it opens the database
    for each in every:
        assert each.updater is not None
        await each.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)
        await each.start()
    try:
        yield app
    finally:
        for each in every:
            assert each.updater is not None
            await each.updater.stop()
        for each in reversed(every):
            await each.stop()
        await services_of(app).drain_background()
        for each in reversed(every):
            await each.shutdown()
        await app.post_shutdown(app)


class InProcessBot:
    """The application built by `build_application`, served from a background thread."""

    def __init__(
        self,
        api: FakeBotApi,
        env: dict[str, str],
        *,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.api = api
        self.app = build_app(env, clock=clock, retry=retry)
        self.services = services_of(self.app)
        self.db_path = self.services.settings.database_path
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> InProcessBot:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 15.0) -> None:
        self._thread = threading.Thread(target=self._serve, name="in-process-bot", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            self.stop()
            raise AssertionError(f"the bot did not start: {self._error!r}")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop as on SIGTERM; re-raise anything that went wrong in the bot's thread."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        alive = self._thread.is_alive()
        self._thread = None
        if alive:
            raise AssertionError("the bot did not stop in time")
        if self._error is not None:
            raise self._error

    # talking to it ----------------------------------------------------------------------

    def say(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        timeout: float = 10.0,
    ) -> ApiCall:
        """Send `text` as `user_id`; return the bot's next message in that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.api.messages_to(chat))
        self.api.send_text(user_id, text, chat_id=chat_id, chat_type=chat_type)
        reply = self.api.wait_for(_message_to(chat), count=before + 1, timeout=timeout)[before]
        self.settle()
        return reply

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the application has finished with every update it has received."""
        assert self._loop is not None
        done = asyncio.run_coroutine_threadsafe(self.app.update_queue.join(), self._loop)
        done.result(timeout)

    # the database -----------------------------------------------------------------------

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A second connection to the bot's database (WAL: it may write while the bot runs)."""
        conn = connect(self.db_path)
        try:
            yield conn
        finally:
            conn.close()

    # the bot's thread -------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by stop()
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serving(self.app):
            self._ready.set()
            await self._stop.wait()


def _message_to(chat_id: int) -> Any:
    def matches(call: ApiCall) -> bool:
        return (
            call.method in MESSAGE_METHODS
            and call.status == 200
            and call.params.get("chat_id") == chat_id
        )

    return matches
