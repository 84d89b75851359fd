"""What every harness that runs the real bot against the Bot API stand-in shares: its settings,
and building, starting and stopping the application in the order `run_polling` uses
(initialize, post_init, polling, start ... updater.stop, stop, shutdown, post_shutdown).

    async with serving(build_app(app_env(api, tmp_path), clock=clock)) as app:
        ...

`tests/bot/harness.py`, `desk_harness.py` and `patient_harness.py` serve the application in the
test's own event loop; `in_thread.py` in a loop of its own; `tests/e2e/harness.py` passes the
same settings to `python -m bot`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from bot.app import build_application, load_care
from bot.services import CareApp, Services
from bot.settings import load_settings
from care.core.clock import Clock
from jobs.retry import RetryPolicy
from tests.fakes.bot_api import FakeBotApi

ADMIN_ID = 1001
STAFF_ID = ADMIN_ID  # the desk and patient tests call the one admin "staff"
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
async def serving(
    app: CareApp,
    *,
    after_init: Callable[[CareApp], None] | None = None,
    drain: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[CareApp]:
    """Serve `app` (and the application of every other channel it has: Bale's, when set)
    until the block ends. `after_init` runs once post_init has opened the database, before
    the first update; `drain` is awaited once updates have stopped, before the alerts still
    being sent are awaited and the application shuts down."""
    assert app.post_init is not None and app.post_shutdown is not None
    every = [app, *(other for other in services_of(app).apps.values() if other is not app)]
    for each in every:
        await each.initialize()
    await app.post_init(app)  # run_polling would call it: it opens the database
    if after_init is not None:
        after_init(app)
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
        if drain is not None:
            await drain()
        await services_of(app).drain_background()
        for each in reversed(every):
            await each.shutdown()
        await app.post_shutdown(app)
