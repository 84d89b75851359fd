"""Delivery under Telegram's faults, through the real application and the local stand-in:
429 with retry_after, 5xx, timeouts, a blocked bot, and a burst against enforced limits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from care.core.clock import from_epoch
from care.core.dates import iso_local
from jobs.retry import RetryPolicy
from tests.conftest import TEHRAN
from tests.factories import linked_patients
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.fakes.schedule import DELIVERY_PROTOCOL, DELIVERY_STEPS, ONE_STEP_PROTOCOL, step_of
from tests.served import ADMIN_ID, InProcessBot, app_env

PATIENT = 2002
OTHER = 2003
FAST_RETRY = RetryPolicy(base_seconds=1.0, cap_seconds=1.0, max_attempts=3)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def _bot(api: FakeBotApi, tmp_path: Path, protocol: Path, **env: str) -> InProcessBot:
    settings = app_env(api, tmp_path, CARE_PROTOCOL=str(protocol), **env)
    return InProcessBot(api, settings, retry=FAST_RETRY)


def _seed(tmp_path: Path, chats: list[int], protocol: Path = ONE_STEP_PROTOCOL) -> list[int]:
    now = datetime.now(UTC)
    return linked_patients(
        tmp_path / "mesocare.db",
        chats,
        starts_at=now - timedelta(minutes=1),
        now=now,
        protocol_path=protocol,
    )


def _care_sends(api: FakeBotApi, chat_id: int) -> list[ApiCall]:
    """Every sendMessage call to the chat, whatever the answer."""
    return [c for c in api.calls("sendMessage") if c.params.get("chat_id") == chat_id]


def _delivered(chat_id: int) -> object:
    def matches(call: ApiCall) -> bool:
        return (
            call.method == "sendMessage"
            and call.status == 200
            and call.params.get("chat_id") == chat_id
        )

    return matches


def _one(conn_rows: list[tuple[object, ...]]) -> tuple[object, ...]:
    assert len(conn_rows) == 1, conn_rows
    return conn_rows[0]


def test_a_429_waits_exactly_retry_after(api: FakeBotApi, tmp_path: Path) -> None:
    _seed(tmp_path, [PATIENT, OTHER])
    api.fail_next("sendMessage", status=429, retry_after=2, chat_id=PATIENT)
    with _bot(api, tmp_path, ONE_STEP_PROTOCOL):
        api.wait_for(_delivered(PATIENT), timeout=15)  # type: ignore[arg-type]
        api.wait_for(_delivered(OTHER), timeout=15)  # type: ignore[arg-type]
    sends = api.calls("sendMessage")
    refused = next(c for c in sends if c.status == 429)
    retried = next(c for c in sends if c.status == 200 and c.params["chat_id"] == PATIENT)
    assert retried.params["text"] == refused.params["text"]
    assert 2.0 <= retried.at - refused.at < 3.5
    # The wait holds every chat, not just the one that was refused.
    assert not [c for c in sends if refused.at < c.at < refused.at + 2.0]


def test_server_errors_are_retried_with_backoff(api: FakeBotApi, tmp_path: Path) -> None:
    _seed(tmp_path, [PATIENT])
    api.fail_next("sendMessage", status=500, times=2, chat_id=PATIENT)
    bot = _bot(api, tmp_path, ONE_STEP_PROTOCOL)
    with bot:
        api.wait_for(_delivered(PATIENT), timeout=15)  # type: ignore[arg-type]
    tries = _care_sends(api, PATIENT)
    assert [c.status for c in tries] == [500, 500, 200]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(tries)]
    assert all(gap >= FAST_RETRY.base_seconds / 2 for gap in gaps)
    with bot.db() as conn:
        state, attempts = _one(conn.execute("SELECT state, attempts FROM care_messages").fetchall())
        reasons = [r[0] for r in conn.execute("SELECT reason FROM message_events ORDER BY id")]
    assert (state, attempts) == ("sent", 3)
    assert (
        sum((r or "").startswith("retrying:") and "Internal Server Error" in r for r in reasons)
        == 2
    )


def test_a_timed_out_send_is_tried_again(api: FakeBotApi, tmp_path: Path) -> None:
    _seed(tmp_path, [PATIENT])
    api.delay_next("sendMessage", 1.5)  # longer than the bot's 0.3 s request timeout
    bot = _bot(api, tmp_path, ONE_STEP_PROTOCOL, TELEGRAM_TIMEOUT_SECONDS="0.3")
    with bot:
        # The slow answer still arrives at the stand-in; the bot has given up on it by then.
        api.wait_for(_delivered(PATIENT), timeout=15, count=2)  # type: ignore[arg-type]
        api.wait_until_idle()
    with bot.db() as conn:
        state, attempts = _one(conn.execute("SELECT state, attempts FROM care_messages").fetchall())
        reasons = [r[0] for r in conn.execute("SELECT reason FROM message_events ORDER BY id")]
    # A send that got no answer means Telegram cannot be reached: the message waits for the
    # network without spending one of its attempts.
    assert (state, attempts) == ("sent", 1)
    assert any((r or "").startswith("channel_down:") and "TimedOut" in r for r in reasons)


def test_giving_up_fails_the_message_and_tells_staff_once(api: FakeBotApi, tmp_path: Path) -> None:
    _seed(tmp_path, [PATIENT])
    api.fail_next("sendMessage", status=502, times=100, chat_id=PATIENT)
    bot = _bot(api, tmp_path, ONE_STEP_PROTOCOL)
    with bot:
        api.wait_for(lambda c: "did not receive" in str(c.params.get("text")), timeout=15)
        api.wait_until_idle(quiet=2.5)  # a retry would have come within 2 s
    tries = _care_sends(api, PATIENT)
    assert [c.status for c in tries] == [502] * FAST_RETRY.max_attempts
    alerts = [c for c in api.messages_to(ADMIN_ID) if "did not receive" in c.params["text"]]
    assert len(alerts) == 1
    with bot.db() as conn:
        state, attempts = _one(conn.execute("SELECT state, attempts FROM care_messages").fetchall())
        kinds = [r[0] for r in conn.execute("SELECT kind FROM alerts")]
    assert (state, attempts) == ("failed", FAST_RETRY.max_attempts)
    assert kinds == ["delivery_failed"]


def test_a_blocked_patient_is_held_others_go_on_and_start_resumes(
    api: FakeBotApi, tmp_path: Path
) -> None:
    _seed(tmp_path, [PATIENT, OTHER], DELIVERY_PROTOCOL)
    api.block_chat(PATIENT)
    bot = _bot(api, tmp_path, DELIVERY_PROTOCOL)
    with bot:
        api.wait_for(_delivered(OTHER), count=len(DELIVERY_STEPS), timeout=15)  # type: ignore[arg-type]
        api.wait_for(lambda c: "cannot be reached" in str(c.params.get("text")), timeout=10)
        api.wait_until_idle(quiet=1.5)
        assert [c.status for c in _care_sends(api, PATIENT)] == [403]  # one try, then held
        with bot.db() as conn:
            held = conn.execute(
                "SELECT count(*) FROM care_messages m JOIN patients p ON p.id = m.patient_id"
                " WHERE p.chat_id = ? AND m.state = 'pending' AND p.status = 'unreachable'",
                (PATIENT,),
            ).fetchone()[0]
        assert held == len(DELIVERY_STEPS)

        api.unblock_chat(PATIENT)
        api.send_text(PATIENT, "/start")
        delivered = api.wait_for(_delivered(PATIENT), count=1 + len(DELIVERY_STEPS), timeout=15)  # type: ignore[arg-type]
        with bot.db() as conn:
            (appointment, starts_at) = conn.execute(
                "SELECT a.id, a.starts_at FROM appointments a JOIN patients p"
                " ON p.id = a.patient_id WHERE p.chat_id = ?",
                (PATIENT,),
            ).fetchone()
    care = [step_of(str(c.params["text"])) for c in delivered[1:]]
    assert care == list(DELIVERY_STEPS)  # in due order, once each
    (alert,) = [c for c in api.messages_to(ADMIN_ID) if "cannot be reached" in c.params["text"]]
    when = iso_local(from_epoch(starts_at), TEHRAN)
    assert str(alert.params["text"]).endswith(f"\nAppointment #{appointment}, {when}")


def test_a_burst_never_trips_telegrams_limits(tmp_path: Path) -> None:
    patients = list(range(3000, 3030))
    strangers = list(range(4000, 4010))
    _seed(tmp_path, patients, DELIVERY_PROTOCOL)
    with FakeBotApi(enforce_limits=True) as api, _bot(api, tmp_path, DELIVERY_PROTOCOL):
        for stranger in strangers:  # replies share the budget with the care messages
            api.send_text(stranger, "/start")
        expected = len(patients) * len(DELIVERY_STEPS) + len(strangers)
        api.wait_for(lambda c: c.method == "sendMessage" and c.status == 200, count=expected)
        api.wait_until_idle()
        assert api.too_many_requests == 0
        sends = sorted(c.at for c in api.calls("sendMessage"))
    busiest = max(sum(1 for t in sends if start <= t < start + 1.0) for start in sends)
    assert busiest <= 30


def test_a_staff_reply_that_meets_a_429_is_sent_after_retry_after(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """A person is waiting for the reply: it goes once Telegram's wait is over, with no
    "something went wrong" in its place."""
    api.fail_next("sendMessage", status=429, retry_after=2, chat_id=ADMIN_ID)
    with _bot(api, tmp_path, ONE_STEP_PROTOCOL) as bot:
        reply = bot.say(ADMIN_ID, "/today")
        api.wait_until_idle(quiet=1.0)
    tries = _care_sends(api, ADMIN_ID)
    assert [c.status for c in tries] == [429, 200]
    assert tries[1].params["text"] == tries[0].params["text"] == reply.params["text"]
    assert 2.0 <= tries[1].at - tries[0].at < 3.5
    assert not any("something went wrong" in str(c.params["text"]) for c in tries)
