"""Settings read once from the environment, validated with messages that say what to type."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from care.content.catalog import DEFAULT_MESSAGES_DIR
from care.core.channels import TELEGRAM
from care.core.languages import LANGUAGES
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import OpeningHours, WorkingTime, parse_working_days
from jobs.channels.proxy import ProxyError, parse_proxy

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_BALE_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{10,}$")
# A base URL that already holds the part the bot adds itself: /bot, or /bot<token>/...
_BOT_PATH = re.compile(r"/bot(\d+:[^/]*)?(/.*)?$")


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the variable and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str
    admin_ids: frozenset[int]
    staff_chat_id: int | None
    clinic_name: str
    clinic_phone: str
    clinic_address: str
    emergency_phone: str
    timezone: ZoneInfo
    default_language: str
    database_path: Path
    protocol_path: Path
    messages_dir: Path
    quiet_hours: QuietHours
    invite_days: int
    api_base_url: str | None
    poll_seconds: float
    working_time: WorkingTime
    request_timeout: float = 10.0
    heartbeat_path: Path = Path("data/mesocare.db.heartbeat")
    log_level: int = logging.INFO
    log_file: Path | None = None
    telegram_proxy: str | None = None
    staff_language: str = "fa"  # the staff group's language (a person's own language wins)
    morning_sheet: bool = True  # the day's sheet to staff at opening time (bot/relay/rounds.py)
    telegram_per_second: float = 28.5
    send_window: int = 32  # the most care messages in flight at once (1: one at a time)
    bale: BaleSettings | None = None  # None: Telegram only

    def admin_ids_on(self, channel: str) -> frozenset[int]:
        """Admins from the settings: ADMIN_IDS on Telegram, BALE_ADMIN_IDS on Bale."""
        if channel == TELEGRAM:
            return self.admin_ids
        return self.bale.admin_ids if self.bale is not None else frozenset()

    def staff_chat_on(self, channel: str) -> int | None:
        """The staff group on `channel`: STAFF_CHAT_ID on Telegram, BALE_STAFF_CHAT_ID on Bale."""
        if channel == TELEGRAM:
            return self.staff_chat_id
        return self.bale.staff_chat_id if self.bale is not None else None


@dataclass(frozen=True)
class BaleSettings:
    """Bale as a second channel (BALE_BOT_TOKEN set). Its bot's username, for invite links,
    comes from getMe: a setting could disagree with the token, and the bot asks getMe anyway
    before it polls."""

    token: str
    api_base_url: str | None
    admin_ids: frozenset[int]  # Bale user ids; admins of .env on Telegram are not Bale ids
    staff_chat_id: int | None
    per_second: float


def load_settings(env: Mapping[str, str] | None = None, *, need_telegram: bool = True) -> Settings:
    """Build the settings from `env` (default: the process environment).

    `need_telegram=False` is for commands that never connect (`preview`): the token and the
    admin ids are then neither required nor read.
    """
    values = os.environ if env is None else env

    def get(name: str, default: str = "") -> str:
        return values.get(name, default).strip()

    database = database_path(values)
    timezone = _timezone(get("CLINIC_TIMEZONE", "Asia/Tehran"))
    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")) if need_telegram else "",
        admin_ids=_admin_ids(get("ADMIN_IDS")) if need_telegram else frozenset(),
        staff_chat_id=_optional_int("STAFF_CHAT_ID", get("STAFF_CHAT_ID")),
        clinic_name=_text("CLINIC_NAME", get("CLINIC_NAME", "Mesocare Clinic")),
        clinic_phone=_clinic_phone(get("CLINIC_PHONE")),
        clinic_address=_text("CLINIC_ADDRESS", get("CLINIC_ADDRESS", "-")),
        emergency_phone=_emergency_phone(get("EMERGENCY_PHONE") or "115"),
        timezone=timezone,
        default_language=_language(get("DEFAULT_LANGUAGE", "fa")),
        staff_language=_language(
            get("STAFF_LANGUAGE") or get("DEFAULT_LANGUAGE", "fa"), "STAFF_LANGUAGE"
        ),
        database_path=database,
        protocol_path=_existing_file("CARE_PROTOCOL", get("CARE_PROTOCOL"), DEFAULT_PROTOCOL_PATH),
        messages_dir=_existing_dir("MESSAGES_DIR", get("MESSAGES_DIR"), DEFAULT_MESSAGES_DIR),
        quiet_hours=_quiet_hours(get("QUIET_HOURS", "22:00-08:00")),
        invite_days=_bounded_int("INVITE_DAYS", get("INVITE_DAYS", "14"), 1, 90),
        api_base_url=_api_base_url(get("TELEGRAM_API_BASE_URL")) if need_telegram else None,
        poll_seconds=_seconds("POLL_SECONDS", get("POLL_SECONDS", "10"), 0.2, 300),
        working_time=WorkingTime(
            _working_days(get("WORKING_DAYS", "sat-thu")),
            _clinic_hours(get("CLINIC_HOURS", "09:00-18:00")),
            timezone,
        ),
        request_timeout=_seconds(
            "TELEGRAM_TIMEOUT_SECONDS", get("TELEGRAM_TIMEOUT_SECONDS", "10"), 0.1, 120
        ),
        heartbeat_path=Path(get("HEARTBEAT_PATH") or f"{database}.heartbeat"),
        log_level=_log_level(get("LOG_LEVEL", "INFO")),
        log_file=Path(get("LOG_FILE")) if get("LOG_FILE") else None,
        telegram_proxy=proxy_url("TELEGRAM_PROXY", get("TELEGRAM_PROXY")),
        morning_sheet=_on_off("MORNING_SHEET", get("MORNING_SHEET", "on")),
        telegram_per_second=_rate(
            "TELEGRAM_MESSAGES_PER_SECOND", get("TELEGRAM_MESSAGES_PER_SECOND", "28.5")
        ),
        send_window=_bounded_int("SEND_WINDOW", get("SEND_WINDOW", "32"), 1, 64),
        bale=_bale(get) if need_telegram and get("BALE_BOT_TOKEN") else None,
    )


def _bale(get: Callable[..., str]) -> BaleSettings:
    token = get("BALE_BOT_TOKEN")
    if not _BALE_TOKEN_SHAPE.match(token):
        raise SettingsError(
            "BALE_BOT_TOKEN does not look like a bot token: it should look like 123456789:AbC..."
            " as @BotFather in Bale gave it (leave it empty for Telegram only)"
        )
    raw_admins = get("BALE_ADMIN_IDS")
    return BaleSettings(
        token=token,
        api_base_url=_api_base_url(get("BALE_API_BASE_URL"), "BALE_API_BASE_URL"),
        admin_ids=_admin_ids(raw_admins, "BALE_ADMIN_IDS") if raw_admins else frozenset(),
        staff_chat_id=_optional_int("BALE_STAFF_CHAT_ID", get("BALE_STAFF_CHAT_ID")),
        per_second=_rate("BALE_MESSAGES_PER_SECOND", get("BALE_MESSAGES_PER_SECOND", "20")),
    )


def database_path(env: Mapping[str, str] | None = None) -> Path:
    """DATABASE_PATH alone: enough for `python -m bot backup`, which needs no token."""
    values = os.environ if env is None else env
    return Path(values.get("DATABASE_PATH", "").strip() or "data/mesocare.db")


def _token(raw: str) -> str:
    if not raw:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set: ask @BotFather for a token and put "
            "TELEGRAM_BOT_TOKEN=123456:ABC... in .env"
        )
    if not _TOKEN_SHAPE.match(raw):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token: it should look like "
            "123456789:AAE... as @BotFather gave it"
        )
    return raw


def _admin_ids(raw: str, name: str = "ADMIN_IDS") -> frozenset[int]:
    messenger = "Bale" if name.startswith("BALE") else "Telegram"
    if not raw:
        raise SettingsError(
            "ADMIN_IDS is not set: put your numeric Telegram user id in .env, "
            "e.g. ADMIN_IDS=123456789 (several: 123,456)"
        )
    ids = set()
    for part in raw.split(","):
        if not part.strip().isdigit():
            raise SettingsError(
                f"{name} has {part.strip()!r}, which is not a numeric {messenger} user id; "
                f"write e.g. {name}=123456789,987654321"
            )
        ids.add(int(part))
    return frozenset(ids)


def _api_base_url(raw: str, name: str = "TELEGRAM_API_BASE_URL") -> str | None:
    """The root of a self-hosted Bot API server; the bot adds /bot<token>/<method> itself, so
    a root copied with /bot at its end would make every request miss, which the server (and
    then the bot) would report as a refused token."""
    if not raw:
        return None
    root = raw.rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise SettingsError(
            f"{name} {raw!r} must start with http:// or https://; "
            f"write e.g. {name}=http://127.0.0.1:8081"
        )
    path = urlsplit(root).path
    wrong = _BOT_PATH.search(path)
    if wrong:
        fixed = root[: len(root) - len(path) + wrong.start()]
        raise SettingsError(
            f"{name} must be the Bot API server's root, without /bot at its end "
            f"(the bot adds /bot<token> itself): write {name}={fixed}"
        )
    return root


def proxy_url(name: str, raw: str) -> str | None:
    try:
        return parse_proxy(raw)
    except ProxyError as error:
        raise SettingsError(f"{name}: {error}") from None


def _optional_int(name: str, raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(
            f"{name} must be a numeric chat id (groups start with -100), e.g. {name}=-1001234567890"
        ) from None


def _text(name: str, raw: str) -> str:
    if len(raw) > 200:
        raise SettingsError(f"{name} is longer than 200 characters; shorten it")
    return raw


def _clinic_phone(raw: str) -> str:
    """Required: every text that tells a patient to call the clinic shows it, so a missing
    number would leave a worried patient with nobody to call."""
    if raw in ("", "-"):
        raise SettingsError(
            "CLINIC_PHONE is not set: patients are told to call it when something is wrong; "
            "put the clinic's number in .env, e.g. CLINIC_PHONE=+98 21 1234 5678"
        )
    return _text("CLINIC_PHONE", raw)


def _emergency_phone(raw: str) -> str:
    """Shown for an allergic reaction; 115 is Iran's emergency medical service."""
    if raw == "-":
        raise SettingsError(
            "EMERGENCY_PHONE is '-': patients with an allergic reaction are told to call it; "
            "leave it empty for 115 (Iran's emergency medical service) or write the number, "
            "e.g. EMERGENCY_PHONE=115"
        )
    return _text("EMERGENCY_PHONE", raw)


def _timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"CLINIC_TIMEZONE {raw!r} is not a known time zone; write e.g. Asia/Tehran"
        ) from None


def _language(raw: str, name: str = "DEFAULT_LANGUAGE") -> str:
    if raw not in LANGUAGES:
        raise SettingsError(f"{name} must be one of {', '.join(LANGUAGES)}, not {raw!r}")
    return raw


def _existing_file(name: str, raw: str, default: Path) -> Path:
    path = Path(raw) if raw else default
    if not path.is_file():
        raise SettingsError(f"{name} points to {path}, which is not a file; fix the path in .env")
    return path


def _existing_dir(name: str, raw: str, default: Path) -> Path:
    path = Path(raw) if raw else default
    if not path.is_dir():
        raise SettingsError(f"{name} points to {path}, which is not a folder; fix the path in .env")
    return path


def _log_level(raw: str) -> int:
    if raw.upper() not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    level: int = getattr(logging, raw.upper())
    return level


def _quiet_hours(raw: str) -> QuietHours:
    try:
        return QuietHours.parse(raw)
    except ValueError:
        raise SettingsError(
            f"QUIET_HOURS {raw!r} is not a time window; write e.g. QUIET_HOURS=22:00-08:00"
        ) from None


def _working_days(raw: str) -> frozenset[int]:
    try:
        return parse_working_days(raw)
    except ValueError as error:
        raise SettingsError(
            f"WORKING_DAYS: {error}; e.g. WORKING_DAYS=sat-thu or WORKING_DAYS=sat,sun,mon,tue,wed"
        ) from None


def _clinic_hours(raw: str) -> OpeningHours:
    try:
        return OpeningHours.parse(raw)
    except ValueError as error:
        raise SettingsError(f"CLINIC_HOURS: {error}; e.g. CLINIC_HOURS=09:00-18:00") from None


def _on_off(name: str, raw: str) -> bool:
    if raw.lower() not in ("on", "off"):
        raise SettingsError(f"{name} must be on or off, not {raw!r}")
    return raw.lower() == "on"


def _bounded_int(name: str, raw: str, low: int, high: int) -> int:
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _seconds(name: str, raw: str, low: float, high: float, unit: str = "seconds") -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        raise SettingsError(
            f"{name} must be a number of {unit} from {low:g} to {high:g}, not {raw!r}"
        )
    return value


def _rate(name: str, raw: str) -> float:
    """Messages a second a channel may carry; its limits per chat stay Telegram's."""
    return _seconds(name, raw, 0.1, 30, unit="messages a second")
