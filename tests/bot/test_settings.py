"""Settings: defaults, and a clear one-line refusal for every wrong value."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

VALID = {
    "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc",
    "ADMIN_IDS": "42, 43",
    "CLINIC_PHONE": "+98 21 1234 5678",
}


def test_defaults_follow_the_readme() -> None:
    settings = load_settings(VALID)
    assert settings.admin_ids == frozenset({42, 43})
    assert settings.timezone.key == "Asia/Tehran"
    assert settings.default_language == "fa"
    assert settings.database_path == Path("data/mesocare.db")
    assert settings.invite_days == 14
    assert settings.api_base_url is None
    assert settings.staff_chat_id is None
    assert settings.heartbeat_path == Path("data/mesocare.db.heartbeat")
    assert settings.log_level == logging.INFO
    assert settings.log_file is None
    moved = load_settings({**VALID, "DATABASE_PATH": "/srv/db/care.db", "LOG_LEVEL": "debug"})
    assert moved.heartbeat_path == Path("/srv/db/care.db.heartbeat")  # follows the database
    assert moved.log_level == logging.DEBUG
    assert settings.clinic_phone == "+98 21 1234 5678"
    assert settings.emergency_phone == "115"  # Iran's emergency medical service
    assert load_settings({**VALID, "EMERGENCY_PHONE": ""}).emergency_phone == "115"
    assert load_settings({**VALID, "EMERGENCY_PHONE": "112"}).emergency_phone == "112"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("TELEGRAM_BOT_TOKEN", "", "@BotFather"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "does not look like"),
        ("ADMIN_IDS", "", "ADMIN_IDS=123456789"),
        ("ADMIN_IDS", "42,@sara", "not a numeric"),
        ("CLINIC_TIMEZONE", "Mars/Olympus", "Asia/Tehran"),
        ("DEFAULT_LANGUAGE", "de", "fa, en"),
        ("QUIET_HOURS", "late", "22:00-08:00"),
        ("INVITE_DAYS", "0", "1 to 90"),
        ("STAFF_CHAT_ID", "staff", "-100"),
        ("CARE_PROTOCOL", "/nonexistent/protocol.toml", "not a file"),
        ("MESSAGES_DIR", "/nonexistent", "not a folder"),
        ("POLL_SECONDS", "0", "0.2 to 300"),
        ("TELEGRAM_API_BASE_URL", "127.0.0.1:8081", "http://"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot", "=http://127.0.0.1:8081"),
        ("LOG_LEVEL", "chatty", "DEBUG, INFO, WARNING, ERROR"),
        ("CLINIC_PHONE", "", "CLINIC_PHONE=+98"),
        ("CLINIC_PHONE", "-", "is not set"),
        ("CLINIC_PHONE", "  -  ", "is not set"),
        ("EMERGENCY_PHONE", "-", "115"),
        ("TELEGRAM_PROXY", "ftp://proxy:21", "socks5://"),
        ("TELEGRAM_PROXY", "socks5://user:pw@proxy", "needs a host and a port"),
        ("TELEGRAM_PROXY", "http://proxy:8080/path", "must end after the port"),
    ],
)
def test_a_wrong_value_names_the_variable_and_the_fix(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**VALID, name: value})
    message = str(refused.value)
    assert name in message
    assert says in message
    assert "\n" not in message


def test_a_server_root_with_a_path_is_kept_without_its_last_slash() -> None:
    settings = load_settings({**VALID, "TELEGRAM_API_BASE_URL": "https://bot.example/tg/"})
    assert settings.api_base_url == "https://bot.example/tg"


def test_the_clinic_phone_has_no_default() -> None:
    without = {name: value for name, value in VALID.items() if name != "CLINIC_PHONE"}
    with pytest.raises(SettingsError, match="CLINIC_PHONE"):
        load_settings(without)
    with pytest.raises(SettingsError, match="CLINIC_PHONE"):  # preview shows it too
        load_settings(without, need_telegram=False)


def test_commands_that_never_connect_need_no_token_or_admins() -> None:
    settings = load_settings(
        {"CLINIC_NAME": "Test Clinic", "CLINIC_PHONE": "021 1234"}, need_telegram=False
    )
    assert settings.token == ""
    assert settings.admin_ids == frozenset()
    assert settings.clinic_name == "Test Clinic"
    with pytest.raises(SettingsError, match="QUIET_HOURS"):  # everything else is still checked
        load_settings({"CLINIC_PHONE": "021 1234", "QUIET_HOURS": "late"}, need_telegram=False)


def test_every_setting_is_in_env_example_and_the_readme() -> None:
    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r'get\("([A-Z_]+)"', (root / "bot" / "settings.py").read_text()))
    example = set(re.findall(r"(?m)^([A-Z_]+)=", (root / ".env.example").read_text()))
    readme = set(re.findall(r"(?m)^\| `([A-Z_]+)`", (root / "README.md").read_text()))
    assert "TELEGRAM_BOT_TOKEN" in read
    assert read == example
    assert read == readme


def test_a_wrong_proxy_is_refused_without_showing_its_password() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**VALID, "TELEGRAM_PROXY": "socks5://clinic:hunter2@proxy"})
    assert "hunter2" not in str(refused.value)
    assert "clinic:***@proxy" in str(refused.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "https://p.example:443", "socks5://u:p@10.0.0.5:1080"]
)
def test_a_proxy_url_is_kept_as_given(url: str) -> None:
    assert load_settings({**VALID, "TELEGRAM_PROXY": url}).telegram_proxy == url
