"""`python -m bot check`: everything the bot needs, checked without starting it.

Settings, the care protocol, the message files, the database (opened, brought to the newest
schema, integrity-checked) and, when Telegram can be reached, the token. Each finding is one
line; an unreachable network is reported but is not a failure, since the bot itself waits
for the network. `--live` also asks whether a bot is running and delivering: its heartbeat
file must be younger than a few safety ticks (for monitoring and the container health check).

Each line starts with its verdict, a fixed token (ok, FAILED, --) that scripts read; the rest
is the catalog's [check] section in the reader's language, one key per finding. The texts come
from the shipped message files, not the clinic's: those are among what is being checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.common.staff_voice import Voice
from bot.relay.staff_chat import StaffChat, count_staff, look_at_staff_chat
from bot.settings import Settings, SettingsError, load_settings
from care.content.catalog import (
    DEFAULT_MESSAGES_DIR,
    CatalogError,
    check_against_defaults,
    check_catalog,
    load_catalog,
)
from care.core.channels import TELEGRAM
from care.db.connection import connect
from care.db.migrations import LATEST_VERSION
from care.schedule.protocol import CareProtocol, ProtocolError, load_protocol
from jobs import heartbeat
from jobs.channels.bale import BALE, BALE_ROOT
from jobs.channels.proxy import shown
from jobs.channels.telegram import TELEGRAM_ROOT

TOKEN_CHECK_SECONDS = 5.0
# Without readable settings there is no DEFAULT_LANGUAGE to go by: the check speaks English,
# the language of the settings' own error messages.
FALLBACK_LANGUAGE = "en"
_UTC = ZoneInfo("UTC")
# What TELEGRAM_API_BASE_URL looks like for a Bot API server of one's own.
EXAMPLE_API_ROOT = "http://127.0.0.1:8081"


class Verdict(StrEnum):
    OK = "ok"
    FAILED = "FAILED"
    WARNING = "WARN"  # works, but should be fixed (the staff chat's privacy)
    NOT_CHECKED = "--"


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    subject: str
    detail: str

    def line(self) -> str:
        return f"{self.verdict:<6} {self.subject}: {self.detail}"


def run_check(
    say: Callable[[str], None] = print, *, live: bool = False, lang: str | None = None
) -> bool:
    """Print one line per finding; True when nothing failed. `live`: also check that a bot
    is running and delivering. `lang`: the language of the lines (default: DEFAULT_LANGUAGE)."""
    findings = _findings(live, lang)
    for finding in findings:
        say(finding.line())
    return all(f.verdict is not Verdict.FAILED for f in findings)


def _findings(live: bool, lang: str | None) -> list[Finding]:
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    try:
        settings = load_settings()
    except SettingsError as error:
        say = Voice(catalog, lang or FALLBACK_LANGUAGE, _UTC)
        return [
            Finding(Verdict.FAILED, say("check.settings"), str(error)),
            Finding(Verdict.NOT_CHECKED, say("check.rest"), say("check.rest_waits")),
        ]
    say = Voice(catalog, lang or settings.default_language, settings.timezone)
    found = [_settings(settings, say)]
    protocol_finding, protocol = _protocol(settings, say)
    found += [protocol_finding, _messages(settings, protocol, say), _database(settings, say)]
    found += asyncio.run(_telegram_and_bale(settings, say))
    if live:
        found.append(_heartbeat(settings, time.time(), say))
    return found


def _heartbeat(settings: Settings, now: float, say: Voice) -> Finding:
    subject = say("check.heartbeat", path=settings.heartbeat_path)
    limit = heartbeat.stale_after(settings.poll_seconds, settings.request_timeout)
    age = heartbeat.age(settings.heartbeat_path, now)
    if age is None:
        return Finding(Verdict.FAILED, subject, say("check.heartbeat_missing"))
    if age > limit:
        stale = say(
            "check.heartbeat_stale", age=say.digits(f"{age:.0f}"), limit=say.digits(f"{limit:g}")
        )
        return Finding(Verdict.FAILED, subject, stale)
    return Finding(Verdict.OK, subject, say("check.heartbeat_ok", age=say.digits(f"{age:.1f}")))


def _settings(settings: Settings, say: Voice) -> Finding:
    group = settings.staff_chat_id
    return Finding(
        Verdict.OK,
        say("check.settings"),
        say(
            "check.settings_ok",
            admins=len(settings.admin_ids),
            group=say("check.no_staff_group") if group is None else str(group),
            timezone=settings.timezone.key,
            language=settings.default_language,
        ),
    )


def _protocol(settings: Settings, say: Voice) -> tuple[Finding, CareProtocol | None]:
    subject = say("check.protocol", path=settings.protocol_path)
    try:
        protocol = load_protocol(settings.protocol_path)
    except ProtocolError as error:
        return Finding(Verdict.FAILED, subject, str(error)), None
    steps = ", ".join(step.key for step in protocol.steps)
    detail = say("check.protocol_ok", count=len(protocol.steps), steps=steps)
    return Finding(Verdict.OK, subject, detail), protocol


def _messages(settings: Settings, protocol: CareProtocol | None, say: Voice) -> Finding:
    subject = say("check.messages", path=settings.messages_dir)
    if protocol is None:
        return Finding(Verdict.NOT_CHECKED, subject, say("check.messages_wait"))
    try:
        catalog = load_catalog(settings.messages_dir)
        check_catalog(catalog, protocol)  # the same checks as at start-up
        check_against_defaults(catalog, load_catalog(DEFAULT_MESSAGES_DIR))
    except CatalogError as error:
        return Finding(Verdict.FAILED, subject, str(error))
    return Finding(Verdict.OK, subject, say("check.messages_ok"))


def _database(settings: Settings, say: Voice) -> Finding:
    path = settings.database_path
    subject = say("check.database", path=path)
    if not path.exists():
        return Finding(Verdict.OK, subject, say("check.database_new"))
    try:
        with contextlib.closing(connect(path)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            pending = conn.execute(
                "SELECT count(*) FROM care_messages WHERE state = 'pending'"
            ).fetchone()[0]
    except (sqlite3.Error, RuntimeError) as error:
        return Finding(Verdict.FAILED, subject, say("check.database_unusable", error=error))
    if verdict != "ok":
        return Finding(Verdict.FAILED, subject, say("check.database_damaged", verdict=verdict))
    mode = stat.S_IMODE(path.stat().st_mode)
    detail = say(
        "check.database_ok", version=LATEST_VERSION, pending=int(pending), mode=f"{mode:o}"
    )
    return Finding(Verdict.OK, subject, detail)


@dataclass(frozen=True)
class _Messenger:
    """One messenger the bot serves, as `check` needs it."""

    channel: str
    token: str
    api_root: str  # without /bot
    base_url: str | None  # as set: the refused-token hint names it
    proxy: str | None
    keys: str  # the catalog keys' suffix: "" for Telegram, "_bale" for Bale


def _messengers(settings: Settings) -> list[_Messenger]:
    found = [
        _Messenger(
            TELEGRAM,
            settings.token,
            settings.api_base_url or TELEGRAM_ROOT,
            settings.api_base_url,
            settings.telegram_proxy,
            "",
        )
    ]
    if settings.bale is not None:
        bale = settings.bale
        root = bale.api_base_url or BALE_ROOT
        found.append(_Messenger(BALE, bale.token, root, bale.api_base_url, None, "_bale"))
    return found


async def _telegram_and_bale(settings: Settings, say: Voice) -> list[Finding]:
    """For each messenger: the token, then (when it works) the staff chat's privacy."""
    found = []
    for messenger in _messengers(settings):
        bot = _bot(messenger)
        token = await _token(messenger, bot, say)
        found.append(token)
        chat_id = settings.staff_chat_on(messenger.channel)
        if token.verdict is Verdict.OK and chat_id is not None:
            found.append(await _staff_chat(settings, messenger, chat_id, bot, say))
    return found


async def _staff_chat(
    settings: Settings, messenger: _Messenger, chat_id: int, bot: Bot, say: Voice
) -> Finding:
    subject = say(f"check.staff_chat{messenger.keys}", chat_id=chat_id)
    staff_count = len(settings.admin_ids_on(messenger.channel))
    if settings.database_path.exists():
        with contextlib.closing(connect(settings.database_path)) as conn:
            staff_count = count_staff(conn, settings, messenger.channel)
    try:
        async with bot:
            chat = await look_at_staff_chat(bot, chat_id, staff_count, messenger.channel)
    except TelegramError as error:
        answer = say(f"check.token_answer{messenger.keys}", error=error.message)
        return Finding(Verdict.NOT_CHECKED, subject, answer)
    problems = _staff_chat_problems(chat, say)
    if problems:
        return Finding(Verdict.WARNING, subject, "; ".join(problems))
    return Finding(Verdict.OK, subject, say("check.staff_chat_ok"))


def _staff_chat_problems(chat: StaffChat, say: Voice) -> list[str]:
    problems = []
    if chat.public:
        problems.append(say("check.staff_chat_public"))
    if chat.crowded:
        problems.append(
            say("check.staff_chat_crowded", members=chat.members, staff=chat.staff_count)
        )
    return problems


def _bot(messenger: _Messenger) -> Bot:
    request = HTTPXRequest(
        connect_timeout=TOKEN_CHECK_SECONDS,
        read_timeout=TOKEN_CHECK_SECONDS,
        write_timeout=TOKEN_CHECK_SECONDS,
        proxy=messenger.proxy,
    )
    return Bot(messenger.token, base_url=f"{messenger.api_root.rstrip('/')}/bot", request=request)


async def _token(messenger: _Messenger, bot: Bot, say: Voice) -> Finding:
    proxy = shown(messenger.proxy) if messenger.proxy else None
    via = {} if proxy is None else {"proxy": proxy}
    keys = ("" if proxy is None else "_proxy") + messenger.keys
    subject = say(f"check.token{messenger.keys}")
    try:
        async with bot:
            known = say(f"check.token_ok{keys}", username=bot.username, **via)
            return Finding(Verdict.OK, subject, known)
    except InvalidToken:
        refused = _refused(messenger, say)
        return Finding(Verdict.FAILED, subject, refused)
    except NetworkError as error:
        away = say(f"check.token_unreachable{keys}", error=error.message, **via)
        return Finding(Verdict.NOT_CHECKED, subject, away)
    except TelegramError as error:
        answer = say(f"check.token_answer{messenger.keys}", error=error.message)
        return Finding(Verdict.FAILED, subject, answer)


def _refused(messenger: _Messenger, say: Voice) -> str:
    """A self-hosted server answers a request to a wrong path as it answers a wrong token, so
    with an API base URL set the URL is as likely to blame as the token."""
    if messenger.base_url is None:
        return say(f"check.token_refused{messenger.keys}")
    return say(
        f"check.token_refused_server{messenger.keys}",
        base_url=messenger.base_url,
        example=EXAMPLE_API_ROOT,
    )
