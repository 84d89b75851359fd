"""desk: how long staff commands take to handle with the million-message database.

The real application is built in this process (bot.app.build_application, its post_init, its
JobQueue running) on a copy of the largest hold database, and real `Update`s are fed to
`application.process_update`; the time measured is that call, which includes the handler's
database work and its reply reaching the stand-in. Commands are fed at a staff-like pace
(DESK_RATE a second, from several staff chats) so that the stand-in's limits, which it
enforces, never add a wait. Each reply is checked to be the answer the command should give,
so a quick refusal is never measured as a quick answer.

A command that the application has no handler for (another engineer's, not merged yet) is
reported as not available rather than measured.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bench import report
from bench.workspace import Bench
from bot.app import build_application, load_care
from bot.services import CareApp, Services
from bot.settings import load_settings
from tests.e2e.harness import bot_env
from tests.fakes.bot_api import FakeBotApi

P99_TARGET_MS = 50.0
DESK_RATE = 10.0  # commands a second; /enrol sends two messages, so 20 of the bot's 30 a second
STAFF_IDS = tuple(range(5001, 5031))  # each staff chat gets a command every two seconds
NOT_AVAILABLE = "not available"


@dataclass(frozen=True)
class Desk:
    """What a command's text may depend on."""

    now: datetime
    tz: ZoneInfo
    appointments: int  # appointment ids run from 1 to this
    rng: random.Random


@dataclass(frozen=True)
class DeskCommand:
    name: str  # as registered, without the slash
    text: Callable[[int, Desk], str]  # the n-th sample's message text
    answer: str | None  # what a good reply contains (None: any reply that is not an error)


def _enrol(sample: int, desk: Desk) -> str:
    starts = (desk.now.astimezone(desk.tz) + timedelta(minutes=90 + sample)).replace(second=0)
    return f"/enrol Desk Patient {_letters(sample)} {starts:%Y-%m-%d %H:%M}"


def _letters(number: int) -> str:
    """A name-like word for a number: 0 -> Aaa, 1 -> Aab ..."""
    word = ""
    for _ in range(3):
        number, digit = divmod(number, 26)
        word = chr(ord("a") + digit) + word
    return word.capitalize()


def _schedule(_sample: int, desk: Desk) -> str:
    return f"/schedule {desk.rng.randint(1, desk.appointments)}"


DESK_COMMANDS: tuple[DeskCommand, ...] = (
    DeskCommand("enrol", _enrol, "Invite link"),
    DeskCommand("today", lambda _sample, _desk: "/today", None),
    DeskCommand("schedule", _schedule, "🗓 #"),
)


def desk(bench: Bench, commands: Sequence[DeskCommand] = DESK_COMMANDS) -> dict[str, Any]:
    pending = bench.scale.hold_sizes[-1]
    runs = [asyncio.run(_one_run(bench, pending, commands)) for _ in range(bench.runs)]
    measured: dict[str, Any] = {}
    for command in commands:
        per_run = [run["commands"][command.name] for run in runs]
        if per_run[0] == NOT_AVAILABLE:
            measured[command.name] = NOT_AVAILABLE
            continue
        measured[command.name] = {
            key: report.median([run["handling_ms"][key] for run in per_run])
            for key in ("p50", "p99", "max")
        }
    answered = [
        result["good_replies"] == bench.scale.desk_samples
        for run in runs
        for result in run["commands"].values()
        if result != NOT_AVAILABLE
    ]
    worst = [figures["p99"] for figures in measured.values() if figures != NOT_AVAILABLE]
    figures: dict[str, Any] = {
        "pending": pending,
        "samples_per_command": bench.scale.desk_samples,
        "handling_ms": measured,
        "targets": {
            "p99_ms": P99_TARGET_MS,
            "met": all(p99 is not None and p99 <= P99_TARGET_MS for p99 in worst)
            and all(answered)
            and all(run["too_many_requests"] == 0 for run in runs),
        },
        "runs": runs,
    }
    report.show(
        f"desk: handling time with {pending} pending messages"
        f" (median of {bench.runs} run(s), {bench.scale.desk_samples} samples each)",
        [("command", "p50 ms", "p99 ms", "max ms")]
        + [
            (f"/{name}", NOT_AVAILABLE, "", "")
            if value == NOT_AVAILABLE
            else (f"/{name}", value["p50"], value["p99"], value["max"])
            for name, value in measured.items()
        ],
    )
    return figures


async def _one_run(bench: Bench, pending: int, commands: Sequence[DeskCommand]) -> dict[str, Any]:
    with bench.schedule(pending) as database, FakeBotApi(enforce_limits=True) as api:
        env = bot_env(
            api,
            bench.work,
            DATABASE_PATH=str(database),
            ADMIN_IDS=",".join(map(str, STAFF_IDS)),
            POLL_SECONDS="10",
        )
        settings = load_settings(env)
        protocol, catalog = load_care(settings)
        application = build_application(settings, protocol=protocol, catalog=catalog)
        await application.initialize()
        try:
            assert application.post_init is not None
            await application.post_init(application)
            await application.start()
            services: Services = application.bot_data["services"]
            desk = Desk(
                now=datetime.now(settings.timezone),
                tz=settings.timezone,
                appointments=await services.db.run(_last_appointment),
                rng=random.Random(6),
            )
            results: dict[str, Any] = {}
            staff_turns = itertools.cycle(STAFF_IDS)  # one chat's next command comes later
            for command in commands:
                if not _registered(application, command.name):
                    results[command.name] = NOT_AVAILABLE
                    continue
                results[command.name] = await _measure(
                    application, api, command, desk, bench.scale.desk_samples, staff_turns
                )
            return {"commands": results, "too_many_requests": api.too_many_requests}
        finally:
            if application.running:
                await application.stop()
            await application.shutdown()
            assert application.post_shutdown is not None
            await application.post_shutdown(application)


async def _measure(
    application: CareApp,
    api: FakeBotApi,
    command: DeskCommand,
    desk: Desk,
    samples: int,
    staff_turns: Iterator[int],
) -> dict[str, Any]:
    before = len(api.calls("sendMessage"))
    seconds = []
    for sample in range(samples):
        staff_id = next(staff_turns)
        update = Update.de_json(
            _message(sample, staff_id, command.text(sample, desk)), application.bot
        )
        began = time.perf_counter()
        await application.process_update(update)
        took = time.perf_counter() - began
        seconds.append(took)
        await asyncio.sleep(max(0.0, 1 / DESK_RATE - took))
    replies = [
        str(call.params.get("text"))
        for call in api.calls("sendMessage")[before:]
        if call.status == HTTPStatus.OK and call.params.get("chat_id") in STAFF_IDS
    ]
    return {
        "handling_ms": report.spread([second * 1000 for second in seconds]),
        "replies": len(replies),
        "good_replies": sum(1 for text in replies if _good(text, command.answer)),
    }


def _good(reply: str, answer: str | None) -> bool:
    if answer is None:
        return "went wrong" not in reply and "staff only" not in reply
    return answer in reply


def _message(update_id: int, staff_id: int, text: str) -> dict[str, Any]:
    user = {"id": staff_id, "is_bot": False, "first_name": "Staff"}
    command_length = len(text.split(maxsplit=1)[0])
    return {
        "update_id": update_id + 1,
        "message": {
            "message_id": update_id + 1,
            "date": int(time.time()),
            "chat": {"id": staff_id, "type": "private", "first_name": "Staff"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": command_length}],
        },
    }


def _registered(application: CareApp, name: str) -> bool:
    """Whether some handler (a conversation's entry point included) answers /name."""

    def answers(handler: BaseHandler[Any, Any, Any]) -> bool:
        if isinstance(handler, CommandHandler):
            return name in handler.commands
        if isinstance(handler, ConversationHandler):
            return any(answers(entry) for entry in handler.entry_points)
        return False

    return any(answers(handler) for group in application.handlers.values() for handler in group)


def _last_appointment(conn: sqlite3.Connection) -> int:
    last: int = conn.execute("SELECT max(id) FROM appointments").fetchone()[0]
    return last
