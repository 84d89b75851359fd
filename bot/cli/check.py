"""`python -m bot check`: everything the bot needs, checked without starting it.

Settings, the care protocol, the message files, the database (opened, brought to the newest
schema, integrity-checked) and, when Telegram can be reached, the token. Each finding is one
line; an unreachable network is reported but is not a failure, since the bot itself waits
for the network. `--live` also asks whether a bot is running and delivering: its heartbeat
file must be younger than a few safety ticks (for monitoring and the container health check).
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

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.relay.staff_chat import count_staff, staff_chat_warnings
from bot.settings import Settings, SettingsError, load_settings
from care.content.catalog import (
    DEFAULT_MESSAGES_DIR,
    CatalogError,
    check_against_defaults,
    check_catalog,
    load_catalog,
)
from care.db.connection import connect
from care.db.migrations import LATEST_VERSION
from care.schedule.protocol import CareProtocol, ProtocolError, load_protocol
from jobs import heartbeat
from jobs.channels.proxy import shown

TOKEN_CHECK_SECONDS = 5.0


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


def run_check(say: Callable[[str], None] = print, *, live: bool = False) -> bool:
    """Print one line per finding; True when nothing failed. `live`: also check that a bot
    is running and delivering."""
    findings = _findings(live)
    for finding in findings:
        say(finding.line())
    return all(f.verdict is not Verdict.FAILED for f in findings)


def _findings(live: bool) -> list[Finding]:
    try:
        settings = load_settings()
    except SettingsError as error:
        return [
            Finding(Verdict.FAILED, "settings", str(error)),
            Finding(Verdict.NOT_CHECKED, "the rest", "fix the settings first"),
        ]
    found = [_settings(settings)]
    protocol_finding, protocol = _protocol(settings)
    found += [protocol_finding, _messages(settings, protocol), _database(settings)]
    found += asyncio.run(_telegram(settings))
    if live:
        found.append(_heartbeat(settings, time.time()))
    return found


def _heartbeat(settings: Settings, now: float) -> Finding:
    subject = f"running bot {settings.heartbeat_path}"
    limit = heartbeat.stale_after(settings.poll_seconds, settings.request_timeout)
    age = heartbeat.age(settings.heartbeat_path, now)
    if age is None:
        return Finding(Verdict.FAILED, subject, "no heartbeat file: the bot has not run here")
    if age > limit:
        return Finding(
            Verdict.FAILED,
            subject,
            f"last heartbeat {age:.0f} s ago (more than {limit:g} s): the bot is stopped or hung",
        )
    return Finding(Verdict.OK, subject, f"delivering: last heartbeat {age:.1f} s ago")


def _settings(settings: Settings) -> Finding:
    group = settings.staff_chat_id if settings.staff_chat_id is not None else "none"
    return Finding(
        Verdict.OK,
        "settings",
        f"{len(settings.admin_ids)} admin(s), staff group {group}, "
        f"time zone {settings.timezone.key}, language {settings.default_language}",
    )


def _protocol(settings: Settings) -> tuple[Finding, CareProtocol | None]:
    subject = f"care protocol {settings.protocol_path}"
    try:
        protocol = load_protocol(settings.protocol_path)
    except ProtocolError as error:
        return Finding(Verdict.FAILED, subject, str(error)), None
    steps = ", ".join(step.key for step in protocol.steps)
    return Finding(Verdict.OK, subject, f"{len(protocol.steps)} steps ({steps})"), protocol


def _messages(settings: Settings, protocol: CareProtocol | None) -> Finding:
    subject = f"message files {settings.messages_dir}"
    if protocol is None:
        return Finding(Verdict.NOT_CHECKED, subject, "they are checked against the protocol")
    try:
        catalog = load_catalog(settings.messages_dir)
        check_catalog(catalog, protocol)  # the same checks as at start-up
        check_against_defaults(catalog, load_catalog(DEFAULT_MESSAGES_DIR))
    except CatalogError as error:
        return Finding(Verdict.FAILED, subject, str(error))
    return Finding(Verdict.OK, subject, "every text in every language, placeholders match")


def _database(settings: Settings) -> Finding:
    path = settings.database_path
    subject = f"database {path}"
    if not path.exists():
        return Finding(Verdict.OK, subject, "not created yet; the bot creates it at first start")
    try:
        with contextlib.closing(connect(path)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            pending = conn.execute(
                "SELECT count(*) FROM care_messages WHERE state = 'pending'"
            ).fetchone()[0]
    except (sqlite3.Error, RuntimeError) as error:
        return Finding(Verdict.FAILED, subject, f"cannot be used: {error}")
    if verdict != "ok":
        return Finding(Verdict.FAILED, subject, f"failed SQLite's integrity check: {verdict}")
    mode = stat.S_IMODE(path.stat().st_mode)
    return Finding(
        Verdict.OK,
        subject,
        f"intact, schema version {LATEST_VERSION}, {pending} message(s) pending, "
        f"file mode {mode:o}",
    )


async def _telegram(settings: Settings) -> list[Finding]:
    """The token, then (when it works) the staff chat's privacy."""
    bot = _bot(settings)
    token = await _token(settings, bot)
    if token.verdict is not Verdict.OK or settings.staff_chat_id is None:
        return [token]
    return [token, await _staff_chat(settings, bot)]


async def _staff_chat(settings: Settings, bot: Bot) -> Finding:
    subject = f"staff chat {settings.staff_chat_id}"
    staff_count = len(settings.admin_ids)
    if settings.database_path.exists():
        with contextlib.closing(connect(settings.database_path)) as conn:
            staff_count = count_staff(conn, settings)
    try:
        async with bot:
            warnings = await staff_chat_warnings(bot, settings, staff_count)
    except TelegramError as error:
        return Finding(Verdict.NOT_CHECKED, subject, f"Telegram answered: {error.message}")
    if warnings:
        return Finding(Verdict.WARNING, subject, "; ".join(warnings))
    return Finding(Verdict.OK, subject, "private, and no member who is not staff")


def _bot(settings: Settings) -> Bot:
    request = HTTPXRequest(
        connect_timeout=TOKEN_CHECK_SECONDS,
        read_timeout=TOKEN_CHECK_SECONDS,
        write_timeout=TOKEN_CHECK_SECONDS,
        proxy=settings.telegram_proxy,
    )
    root = (settings.api_base_url or "https://api.telegram.org").rstrip("/")
    return Bot(settings.token, base_url=f"{root}/bot", request=request)


async def _token(settings: Settings, bot: Bot) -> Finding:
    via = f" through the proxy {shown(settings.telegram_proxy)}" if settings.telegram_proxy else ""
    try:
        async with bot:
            return Finding(
                Verdict.OK, "token", f"Telegram knows it{via}: the bot is @{bot.username}"
            )
    except InvalidToken:
        return Finding(Verdict.FAILED, "token", _refused(settings.api_base_url))
    except NetworkError as error:
        return Finding(
            Verdict.NOT_CHECKED, "token", f"Telegram could not be reached{via} ({error.message})"
        )
    except TelegramError as error:
        return Finding(Verdict.FAILED, "token", f"Telegram answered: {error.message}")


def _refused(base_url: str | None) -> str:
    """A self-hosted server answers a request to a wrong path as it answers a wrong token, so
    with TELEGRAM_API_BASE_URL set the URL is as likely to blame as the token."""
    if base_url is None:
        return "Telegram refused it; copy it again from @BotFather"
    return (
        f"the Bot API server at TELEGRAM_API_BASE_URL={base_url} refused it: check that this is "
        "the server's root (as in http://127.0.0.1:8081, without /bot), then copy the token "
        "again from @BotFather"
    )
