"""Invite links attacked through the real application: every bad token gets a clear answer
and links nothing, and a chat that keeps failing is paused."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.channels import TELEGRAM
from care.db import staff
from care.people.invite_attempts import FailedAttempts
from care.people.invites import issue_invite
from care.people.staffing import create_staff_invite
from jobs.channels.bale import BALE
from tests.conftest import FakeClock
from tests.driver import BlockingDriver, bot_env
from tests.factories import enrolled

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
CLINIC = {"clinic_name": "Test Clinic", "clinic_phone": "+98 21 1234 5678"}
INVALID = CATALOG.text("en", "patient.invite_invalid", **CLINIC)
TOO_MANY = CATALOG.text("en", "patient.too_many_attempts", **CLINIC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def bot(tmp_path: Path, clock: FakeClock) -> Iterator[BlockingDriver]:
    with BlockingDriver(bot_env(tmp_path), clock=clock) as running:
        yield running


def _enrol(bot: BlockingDriver, clock: FakeClock, issued: datetime | None = None) -> str:
    """A new patient's invite token (issued now, or at `issued`)."""
    with bot.db() as conn:
        enrolment = enrolled(conn, bot.services.plan, clock.now(), starts_in=timedelta(days=20))
        if issued is None:
            return enrolment.token
        token, _ = issue_invite(conn, enrolment.patient_id, 14, issued)  # voids the first
        return token


def _linked_chats(bot: BlockingDriver) -> set[int]:
    with bot.db() as conn:
        rows = conn.execute("SELECT chat_id FROM patients WHERE chat_id IS NOT NULL")
        return {row[0] for row in rows}


VALID_SHAPE = secrets.token_urlsafe(24)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(VALID_SHAPE, id="random"),
        pytest.param("A" * 64, id="64-chars"),
        pytest.param(secrets.token_urlsafe(60), id="overlong"),
        pytest.param("تست‌توکن", id="persian"),
        pytest.param("токен", id="cyrillic"),
        pytest.param(VALID_SHAPE[:31] + "\u200b", id="zero-width"),
        pytest.param("\u202e" + VALID_SHAPE[:31], id="right-to-left-override"),
        pytest.param("١٢٣٤٥٦٧٨٩", id="arabic-digits"),
        pytest.param("🙂" * 16, id="emoji"),
        pytest.param("../../etc/passwd", id="path"),
        pytest.param("' OR 1=1 --", id="sql"),
    ],
)
def test_a_made_up_token_links_nothing(bot: BlockingDriver, clock: FakeClock, token: str) -> None:
    _enrol(bot, clock)
    before = bot.dump()
    assert bot.say(5000, f"/start {token}").params["text"] == INVALID
    assert bot.dump() == before


def test_a_truncated_token_links_nothing(bot: BlockingDriver, clock: FakeClock) -> None:
    token = _enrol(bot, clock)
    before = bot.dump()
    for chat_id, cut in enumerate((token[:-1], token[:16], token[1:]), start=5000):
        assert bot.say(chat_id, f"/start {cut}").params["text"] == INVALID
    assert bot.dump() == before
    assert bot.say(5010, f"/start {token}").params["text"] != INVALID  # the whole one works


def test_a_used_token_links_nothing_for_anyone_else(bot: BlockingDriver, clock: FakeClock) -> None:
    token = _enrol(bot, clock)
    assert "welcome to Test Clinic" in bot.say(2002, f"/start {token}").params["text"]
    before = bot.dump()
    assert bot.say(5000, f"/start {token}").params["text"] == INVALID
    assert bot.dump() == before
    assert _linked_chats(bot) == {2002}


def test_an_expired_token_links_nothing(bot: BlockingDriver, clock: FakeClock) -> None:
    token = _enrol(bot, clock, issued=clock.now() - timedelta(days=15))
    before = bot.dump()
    assert bot.say(5000, f"/start {token}").params["text"] == INVALID
    assert bot.dump() == before
    assert _linked_chats(bot) == set()


def test_a_chat_that_keeps_failing_is_paused_for_ten_minutes(
    bot: BlockingDriver, clock: FakeClock
) -> None:
    valid = _enrol(bot, clock)
    for _ in range(5):
        assert bot.say(5000, f"/start {secrets.token_urlsafe(24)}").params["text"] == INVALID
    before = bot.dump()
    # Even the right token is refused while the chat is paused: guessing cannot pay off.
    assert bot.say(5000, f"/start {valid}").params["text"] == TOO_MANY
    assert bot.dump() == before
    assert _linked_chats(bot) == set()
    other = _enrol(bot, clock)
    assert (
        "welcome to Test Clinic" in bot.say(5001, f"/start {other}").params["text"]
    )  # others unaffected
    clock.advance(minutes=10, seconds=1)
    assert "welcome to Test Clinic" in bot.say(5000, f"/start {valid}").params["text"]
    assert _linked_chats(bot) == {5000, 5001}


def test_failures_expire_one_by_one(clock: FakeClock) -> None:
    attempts = FailedAttempts(allowed=2, window=timedelta(minutes=10))
    attempts.failed(TELEGRAM, 1, clock.now())
    clock.advance(minutes=6)
    attempts.failed(TELEGRAM, 1, clock.now())
    assert attempts.blocked(TELEGRAM, 1, clock.now())
    clock.advance(minutes=5)  # the first failure is older than the window now
    assert not attempts.blocked(TELEGRAM, 1, clock.now())
    assert not attempts.blocked(TELEGRAM, 2, clock.now())  # a chat never seen


def test_the_same_chat_id_on_another_channel_is_another_chat(clock: FakeClock) -> None:
    """Telegram and Bale number their chats on their own: a Bale chat whose id a failing
    Telegram chat also has is not paused with it, nor the other way round."""
    attempts = FailedAttempts(allowed=2, window=timedelta(minutes=10))
    for _ in range(2):
        attempts.failed(TELEGRAM, 77, clock.now())
    assert attempts.blocked(TELEGRAM, 77, clock.now())
    assert not attempts.blocked(BALE, 77, clock.now())
    for _ in range(2):
        attempts.failed(BALE, 78, clock.now())
    assert attempts.blocked(BALE, 78, clock.now())
    assert not attempts.blocked(TELEGRAM, 78, clock.now())


def test_failed_staff_invites_count_too(bot: BlockingDriver, clock: FakeClock) -> None:
    """A guessed staff link would be worse than a patient's: the same limit applies."""
    with bot.db() as conn:
        payload, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    for _ in range(5):
        guess = f"/start staff_{secrets.token_urlsafe(24)}"
        assert "does not work" in bot.say(5000, guess).params["text"]
    before = bot.dump()
    assert "Too many" in bot.say(5000, f"/start {payload}").params["text"]
    assert bot.dump() == before
    clock.advance(minutes=10, seconds=1)
    assert "You are on the staff" in bot.say(5000, f"/start {payload}").params["text"]
    with bot.db() as conn:
        assert staff.is_active(conn, 5000)
