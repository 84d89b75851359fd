"""`python -m bot check`: one line per finding, failure only for what would stop the bot.

The lines are read in both languages: what a line says comes from the catalog's [check]
section; its verdict (ok, FAILED, --) is the same token in both."""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.check import EXAMPLE_API_ROOT, run_check
from bot.cli.main import main
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db.connection import connect
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.proxy import HIDDEN_HOST, PASSWORD, LocalProxy
from tests.served import app_env

SHIPPED = load_catalog(DEFAULT_MESSAGES_DIR)


@pytest.fixture(params=["en", "fa"])
def lang(request: pytest.FixtureRequest) -> str:
    language: str = request.param
    return language


def said(lang: str, key: str, **values: str) -> str:
    return SHIPPED.text(lang, f"check.{key}", **values)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _check(lang: str = "en") -> tuple[bool, list[str]]:
    lines: list[str] = []
    return run_check(lines.append, lang=lang), lines


def _line(lines: list[str], subject: str) -> str:
    (found,) = [line for line in lines if subject in line]
    return found


def _failure(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lang: str = "en"
) -> tuple[str, list[str]]:
    """Run the check with `env`; it must fail: return the failed line and all lines."""
    _use(monkeypatch, env)
    ok, lines = _check(lang)
    assert not ok
    return _line(lines, "FAILED"), lines


def test_all_is_well(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    _use(monkeypatch, app_env(api, tmp_path))
    connect(tmp_path / "mesocare.db").close()
    ok, lines = _check(lang)
    assert ok
    assert all(line.startswith("ok     ") for line in lines), lines  # the verdict, untranslated
    token = said(lang, "token_ok", username="mesocare_test_bot")
    assert _line(lines, said(lang, "token")) == f"ok     {said(lang, 'token')}: {token}"
    database = _line(lines, said(lang, "database", path=str(tmp_path / "mesocare.db")))
    intact = said(lang, "database_ok", version="", pending="", mode="").split()[0]
    assert intact in database
    assert main(["check", "--lang", lang]) == 0


def test_the_language_is_the_clinics_unless_asked(
    api: FakeBotApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use(monkeypatch, app_env(api, tmp_path, DEFAULT_LANGUAGE="fa"))
    assert main(["check"]) == 0
    persian = capsys.readouterr().out
    assert f"ok     {said('fa', 'token')}: " in persian
    assert main(["check", "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert f"ok     {said('en', 'token')}: " in english
    assert len(persian.splitlines()) == len(english.splitlines()) == 5


def test_a_missing_database_is_not_a_failure(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    _use(monkeypatch, app_env(api, tmp_path))
    ok, lines = _check(lang)
    assert ok
    assert _line(lines, said(lang, "database_new")).startswith("ok")
    assert not (tmp_path / "mesocare.db").exists()  # check creates nothing


def test_an_unreachable_telegram_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with FakeBotApi() as api:
        env = app_env(api, tmp_path)
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{port}"
    _use(monkeypatch, env)
    ok, lines = _check(lang)
    assert ok
    line = _line(lines, f" {said(lang, 'token')}: ")
    assert line.startswith("--     ")
    assert said(lang, "token_unreachable", error="").split("(")[0] in line


def test_a_refused_token_fails(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    api.fail_next("getMe", status=401)
    failed, _ = _failure(monkeypatch, app_env(api, tmp_path), lang)
    base_url = f"http://127.0.0.1:{api.port}"
    refused = said(lang, "token_refused_server", base_url=base_url, example=EXAMPLE_API_ROOT)
    assert failed == f"FAILED {said(lang, 'token')}: {refused}"
    assert "@BotFather" in failed and base_url in re.sub("[\u2066-\u2069]", "", failed)


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
    assert _line(lines, said("en", "messages_wait")).startswith("--")
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
    assert "cannot be used: " in failed


def test_bad_settings_fail_and_the_rest_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ADMIN_IDS", "42")
    ok, lines = _check()
    assert not ok
    assert _line(lines, "FAILED").startswith("FAILED settings: ")
    assert "TELEGRAM_BOT_TOKEN" in _line(lines, "FAILED")
    assert lines[1] == "--     the rest: fix the settings first"  # English: no settings to go by
    assert main(["check"]) == 2
    lines = []
    assert not run_check(lines.append, lang="fa")  # unless asked
    assert lines[1] == f"--     {said('fa', 'rest')}: {said('fa', 'rest_waits')}"


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
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    proxy = LocalProxy("socks5")
    hidden = f"http://{HIDDEN_HOST}:{api.port}"  # reachable through the proxy only
    _use(
        monkeypatch, app_env(api, tmp_path, TELEGRAM_API_BASE_URL=hidden, TELEGRAM_PROXY=proxy.url)
    )
    down_ok, down = _check(lang)
    proxy.start()
    try:
        up_ok, up = _check(lang)
    finally:
        proxy.stop()
    token = f" {said(lang, 'token')}: "
    assert down_ok  # an unreachable Telegram is reported, not a failure: the bot waits for it
    assert _line(down, token).startswith("--")
    assert "socks5://clinic:***@" in _line(down, token)
    assert up_ok
    known = said(lang, "token_ok_proxy", proxy="PROXY", username="BOT").split("PROXY")[0]
    assert known.rstrip("\u2066\u2067\u2068") in _line(up, token)
    assert PASSWORD not in "\n".join(down + up)
