"""`python -m bench.launch ours|peer`: run one bot and say on stdout when it is ready.

The bot starts the way `python -m bot` starts it (settings from the environment, the care files
checked, `run_polling`), so the figures are those of a real start. The one addition is a
watcher, started when post_init returns, that prints one line `READY {json}` as soon as:

- ours: post_init has opened the database and recovered interrupted sends, the JobQueue runs,
  the first delivery pass is over and the wake-up for the next due message is armed (a
  `deliver-next` job set in the future: the one-off pass run at start-up is set in the past);
- peer: every pending message has its job and the scheduler runs.

It then runs until it is sent SIGTERM, like the bot.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, load_care
from bot.logs import configure_logging
from bot.settings import load_settings

ARMED_JOB = "deliver-next"  # the name jobs.wakeup gives the wake-up at the next due message
READY = "READY "
_LOOK_EVERY = 0.002

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def main(kind: str) -> None:
    began = time.monotonic()
    settings = load_settings()
    protocol, catalog = load_care(settings)
    configure_logging(settings.token)
    if kind == "ours":
        application: AnyApp = build_application(settings, protocol=protocol, catalog=catalog)
    else:
        from bench.peer import build_peer  # only the peer pays for importing it

        application = build_peer(settings, protocol=protocol, catalog=catalog)
    original = application.post_init
    assert original is not None
    watchers: set[asyncio.Task[None]] = set()

    async def post_init(app: AnyApp) -> None:
        await original(app)
        watchers.add(asyncio.get_running_loop().create_task(_announce(app, kind, began)))

    application.post_init = post_init
    application.run_polling(allowed_updates=Update.ALL_TYPES)


async def _announce(application: AnyApp, kind: str, began: float) -> None:
    # Polling: the JobQueue has no event to wait on, and this must not change the bot.
    while not _ready(application, kind):  # noqa: ASYNC110
        await asyncio.sleep(_LOOK_EVERY)
    figures = {"app_s": time.monotonic() - began, "jobs": _job_count(application, kind)}
    print(READY + json.dumps(figures), flush=True)


def _ready(application: AnyApp, kind: str) -> bool:
    job_queue = application.job_queue
    if not application.running or job_queue is None or not job_queue.scheduler.running:
        return False
    if kind == "peer":
        return True
    now = datetime.now(UTC)
    return any(
        job.next_t is not None and job.next_t > now for job in job_queue.get_jobs_by_name(ARMED_JOB)
    )


def _job_count(application: AnyApp, kind: str) -> int:
    if kind == "peer":
        scheduled: int = application.bot_data["scheduled"]
        return scheduled
    assert application.job_queue is not None
    return len(application.job_queue.jobs())


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if sys.argv[1:] not in (["ours"], ["peer"]):
        sys.exit("usage: python -m bench.launch ours|peer")
    main(sys.argv[1])
