"""The real bot behind a local HTTP or SOCKS5 proxy (tests/fakes/proxy.py): every call goes
through it (the stand-in can be reached by no other way), and the proxy being down, at
start-up or mid-run, is a state the bot waits out, not a crash."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, BotProcess, bot_env
from tests.factories import linked_patients
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.fakes.proxy import HIDDEN_HOST, PASSWORD, LocalProxy
from tests.fakes.schedule import ONE_STEP_PROTOCOL

FIRST, SECOND = 41_001, 41_002
DOWN = "Telegram cannot be reached"
BACK = "Telegram is reachable again"


def _care_to(chat_id: int) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return (
            call.method == "sendMessage"
            and call.status == 200
            and call.params.get("chat_id") == chat_id
        )

    return matches


def _sent_to(api: FakeBotApi, chat_id: int) -> list[ApiCall]:
    return [call for call in api.calls("sendMessage") if _care_to(chat_id)(call)]


@pytest.mark.parametrize("scheme", ["http", "socks5"])
def test_behind_a_proxy_that_comes_and_goes_every_message_arrives_once(
    scheme: str, tmp_path: Path
) -> None:
    db_path = tmp_path / "mesocare.db"
    now = datetime.now(UTC)
    linked_patients(
        db_path,
        [FIRST],
        starts_at=now - timedelta(minutes=1),
        now=now,
        protocol_path=ONE_STEP_PROTOCOL,
    )
    proxy = LocalProxy(scheme)
    with FakeBotApi() as api:
        env = bot_env(
            api,
            tmp_path,
            CARE_PROTOCOL=str(ONE_STEP_PROTOCOL),
            TELEGRAM_API_BASE_URL=f"http://{HIDDEN_HOST}:{api.port}",
            TELEGRAM_PROXY=proxy.url,
        )
        bot = BotProcess(api, env, tmp_path / "bot.log")
        try:
            bot.start()  # the proxy is down: the bot starts all the same
            time.sleep(3)
            # Nothing found a way round the proxy.
            assert api.calls() == [] and api.calls("getUpdates") == []
            assert bot.log().count(DOWN) == 1

            proxy.start()
            api.wait_for(_care_to(FIRST), timeout=30)
            assert api.wait_for(lambda c: c.method == "getUpdates", timeout=30)

            proxy.stop()  # an outage mid-run, while the second patient's message falls due
            later = datetime.now(UTC)
            linked_patients(
                db_path, [SECOND], starts_at=later, now=later, protocol_path=ONE_STEP_PROTOCOL
            )
            time.sleep(4)
            assert not _sent_to(api, SECOND)

            proxy.start()
            api.wait_for(_care_to(SECOND), timeout=40)
            assert bot.stop() == 0
        finally:
            proxy.stop()
            bot.stop()
    log = bot.log()
    assert len(_sent_to(api, FIRST)) == 1
    assert len(_sent_to(api, SECOND)) == 1
    assert log.count(DOWN) == 2 and log.count(BACK) == 2, log
    assert "Traceback" not in log, log
    assert PASSWORD not in log


def test_a_refused_token_behind_the_proxy_is_still_a_clear_exit_2(tmp_path: Path) -> None:
    proxy = LocalProxy("socks5")
    with FakeBotApi() as api:
        api.fail_next("getMe", status=401, description="Unauthorized")
        env = bot_env(
            api,
            tmp_path,
            TELEGRAM_API_BASE_URL=f"http://{HIDDEN_HOST}:{api.port}",
            TELEGRAM_PROXY=proxy.url,
        )
        proxy.start()
        try:
            result = subprocess.run(
                [sys.executable, "-m", "bot"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            proxy.stop()
    assert result.returncode == 2, result.stderr
    assert "refused TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
