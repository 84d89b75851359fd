"""Invite-attempt limits on two channels, through the real application: Telegram and Bale
number their chats on their own, so a Bale chat with the id of a Telegram chat paused for
guessing is another chat and links as usual (and the other way round)."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from care.core.channels import TELEGRAM
from care.people.invite_attempts import FAILURES_ALLOWED
from jobs.channels.bale import BALE
from tests.bot.patient_harness import LiveBot, opening
from tests.bot.test_app_two_channels import two_channels
from tests.calls import text_of

SHARED_ID = 5000  # a Telegram chat and a Bale chat that happen to have the same id


def _linked(conn: sqlite3.Connection) -> set[tuple[str, int]]:
    return {(str(c), int(i)) for c, i in conn.execute("SELECT channel, chat_id FROM patient_chats")}


async def _guess_until_paused(bot: LiveBot, channel: str) -> None:
    chat = bot.driver.chat(SHARED_ID, channel=channel)
    for _ in range(FAILURES_ALLOWED):
        (reply,) = await chat.send(f"/start {secrets.token_urlsafe(24)}")
        assert opening("fa", "patient.invite_invalid") in text_of(reply)
    (reply,) = await chat.send(f"/start {secrets.token_urlsafe(24)}")
    assert opening("fa", "patient.too_many_attempts") in text_of(reply)


async def _opens(bot: LiveBot, channel: str, token: str) -> str:
    (reply,) = await bot.driver.chat(SHARED_ID, channel=channel).send(f"/start {token}")
    return text_of(reply)


async def test_a_paused_telegram_chat_does_not_pause_the_bale_chat_with_its_id(
    tmp_path: Path,
) -> None:
    async with two_channels(tmp_path) as (bot, _telegram, _bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await _guess_until_paused(bot, TELEGRAM)
        assert opening("fa", "patient.too_many_attempts") in await _opens(bot, TELEGRAM, token)
        assert await bot.db(_linked) == set()

        assert opening("fa", "patient.language_prompt") in await _opens(bot, BALE, token)
        assert await bot.db(_linked) == {(BALE, SHARED_ID)}


async def test_a_paused_bale_chat_does_not_pause_the_telegram_chat_with_its_id(
    tmp_path: Path,
) -> None:
    async with two_channels(tmp_path) as (bot, _telegram, _bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await _guess_until_paused(bot, BALE)
        assert opening("fa", "patient.too_many_attempts") in await _opens(bot, BALE, token)

        assert opening("fa", "patient.language_prompt") in await _opens(bot, TELEGRAM, token)
        assert await bot.db(_linked) == {(TELEGRAM, SHARED_ID)}
