"""`python -m bot check`: one line per finding, failure only for what would stop the bot."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.check import run_check
from bot.cli.main import main
from care.content.catalog import DEFAULT_MESSAGES_DIR
from care.db.connection import connect
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.proxy import HIDDEN_HOST, PASSWORD, LocalProxy
from tests.served import app_env


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _check() -> tuple[bool, list[str]]:
    lines: list[str] = []
    return run_check(lines.append), lines


def _line(lines: list[str], subject: str) -> str:
    (found,) = [line for line in lines if subject in line]
    return found


def _failure(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> tuple[str, list[str]]:
    """Run the check with `env`; it must fail: return the failed line and all lines."""
    _use(monkeypatch, env)
    ok, lines = _check()
    assert not ok
    return _line(lines, "FAILED"), lines


def test_all_is_well(api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, app_env(api, tmp_path))
    connect(tmp_path / "mesocare.db").close()
    ok, lines = _check()
    assert ok
    assert all(line.startswith("ok") for line in lines), lines
    assert "@mesocare_test_bot" in _line(lines, "token")
    assert "intact" in _line(lines, "database")
    assert main(["check"]) == 0


def test_a_missing_database_is_not_a_failure(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, app_env(api, tmp_path))
    ok, lines = _check()
    assert ok
    assert "not created yet" in _line(lines, "database")
    assert not (tmp_path / "mesocare.db").exists()  # check creates nothing


def test_an_unreachable_telegram_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with FakeBotApi() as api:
        env = app_env(api, tmp_path)
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{port}"
    _use(monkeypatch, env)
    ok, lines = _check()
    assert ok
    assert _line(lines, "token").startswith("--")
    assert "could not be reached" in _line(lines, "token")


def test_a_refused_token_fails(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.fail_next("getMe", status=401)
    failed, _ = _failure(monkeypatch, app_env(api, tmp_path))
    assert "@BotFather" in failed
    assert f"TELEGRAM_API_BASE_URL=http://127.0.0.1:{api.port} refused it" in failed


@pytest.mark.parametrize("suffix", ["/bot", "/bot/", "/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc"])
def test_a_base_url_with_bot_at_its_end_is_named_not_the_token(
    api: FakeBotApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    """The stand-in prints its base_url with /bot at the end; pasted as it is, the check and
    the start-up both say the URL is wrong and what to write, and nobody blames the token."""
    root = f"http://127.0.0.1:{api.port}"
    env = {**app_env(api, tmp_path), "TELEGRAM_API_BASE_URL": root + suffix}
    failed, lines = _failure(monkeypatch, env)
    fix = f"(the bot adds /bot<token> itself): write TELEGRAM_API_BASE_URL={root}"
    assert failed.startswith("FAILED settings:") and failed.endswith(fix)
    assert "ABCDEFGHIJ" not in failed  # a token pasted into the URL is not echoed
    assert not any("token" in line and "refused" in line for line in lines)
    capsys.readouterr()
    assert main(["check"]) == 2
    assert main([]) == 2  # the bot itself refuses to start with the same line
    assert capsys.readouterr().err == f"mesocare: {failed.removeprefix('FAILED settings: ')}\n"
    assert api.calls("getMe") == []  # nothing was asked of the server


def test_a_broken_protocol_fails_and_names_the_file(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    protocol = tmp_path / "protocol.toml"
    protocol.write_text('[steps.pre_care]\nwhen = "start - 2h"\nexpires = "start"\n')
    failed, lines = _failure(monkeypatch, app_env(api, tmp_path, CARE_PROTOCOL=str(protocol)))
    assert str(protocol) in failed and "24 hours" in failed
    assert _line(lines, "message files").startswith("--")
    assert main(["check"]) == 2


def test_a_message_file_missing_a_text_fails(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = tmp_path / "messages"
    messages.mkdir()
    for lang in ("fa", "en"):
        text = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        if lang == "en":
            text = text.replace("wash_ok = ", "washed_ok = ", 1)
        (messages / f"{lang}.toml").write_text(text, encoding="utf-8")
    failed, _ = _failure(monkeypatch, app_env(api, tmp_path, MESSAGES_DIR=str(messages)))
    assert "wash_ok" in failed


def test_a_placeholder_the_bot_cannot_fill_fails(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = tmp_path / "messages"
    messages.mkdir()
    for lang in ("fa", "en"):
        text = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        text = text.replace("{clinic_phone}", "{clinic_fax}")
        (messages / f"{lang}.toml").write_text(text, encoding="utf-8")
    failed, _ = _failure(monkeypatch, app_env(api, tmp_path, MESSAGES_DIR=str(messages)))
    assert "clinic_fax" in failed


def test_a_damaged_database_fails(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mesocare.db").write_bytes(b"this is not a database" * 100)
    failed, _ = _failure(monkeypatch, app_env(api, tmp_path))
    assert "cannot be used" in failed


def test_bad_settings_fail_and_the_rest_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ADMIN_IDS", "42")
    ok, lines = _check()
    assert not ok
    assert "TELEGRAM_BOT_TOKEN" in _line(lines, "FAILED")
    assert main(["check"]) == 2


def test_live_needs_a_fresh_heartbeat(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, app_env(api, tmp_path, POLL_SECONDS="10", TELEGRAM_TIMEOUT_SECONDS="10"))
    connect(tmp_path / "mesocare.db").close()
    beat = tmp_path / "mesocare.db.heartbeat"  # the default: beside the database

    assert main(["check", "--live"]) == 2
    lines: list[str] = []
    assert not run_check(lines.append, live=True)
    assert "no heartbeat" in _line(lines, "FAILED")

    beat.touch()
    lines = []
    assert run_check(lines.append, live=True)
    assert "delivering" in _line(lines, "running bot")
    assert run_check(lambda _: None)  # without --live the heartbeat is not asked for

    old = time.time() - 41  # 3 ticks of 10 s and one 10 s send: stale after 40 s
    os.utime(beat, (old, old))
    lines = []
    assert not run_check(lines.append, live=True)
    assert "stopped or hung" in _line(lines, "FAILED")
    assert main(["check", "--live"]) == 2


@pytest.mark.parametrize("phone", ["", "-"])
def test_without_the_clinics_phone_check_and_start_up_refuse(
    api: FakeBotApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    phone: str,
) -> None:
    failed, lines = _failure(monkeypatch, app_env(api, tmp_path, CLINIC_PHONE=phone))
    assert "CLINIC_PHONE is not set" in failed and "CLINIC_PHONE=+98" in failed
    assert _line(lines, "the rest").startswith("--")
    assert main(["check"]) == 2
    capsys.readouterr()
    assert main(["run"]) == 2  # start-up: refused before anything connects
    refusal = capsys.readouterr().err
    assert refusal.startswith("mesocare: CLINIC_PHONE is not set")
    assert refusal.count("\n") == 1
    assert api.calls() == []


def test_the_token_is_checked_through_the_proxy(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = LocalProxy("socks5")
    hidden = f"http://{HIDDEN_HOST}:{api.port}"  # reachable through the proxy only
    _use(
        monkeypatch, app_env(api, tmp_path, TELEGRAM_API_BASE_URL=hidden, TELEGRAM_PROXY=proxy.url)
    )
    down_ok, down = _check()
    proxy.start()
    try:
        up_ok, up = _check()
    finally:
        proxy.stop()
    assert down_ok  # an unreachable Telegram is reported, not a failure: the bot waits for it
    assert "could not be reached through the proxy socks5://clinic:***@" in _line(down, " token: ")
    assert up_ok
    assert "Telegram knows it through the proxy" in _line(up, " token: ")
    assert PASSWORD not in "\n".join(down + up)
