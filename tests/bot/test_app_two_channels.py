"""Two channels through the real application (bot/app.py): a Telegram stand-in and a Bale one,
one process, one database (issue 11.3, 11.4), driven in process (tests/driver.py).

A patient links on Bale and gets their care there; a patient on both gets each message once,
on Telegram, and on Bale while Telegram is cut off, never both; staff enrol from Bale; Bale is
never asked for command menus; staff hear once that Telegram has been down for 30 minutes
(fake clock).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from bot.app import show_menus
from care.core.channels import TELEGRAM
from jobs.channels.bale import BALE
from tests.bot.patient_harness import TEHRAN, LiveBot, live_bot, opening
from tests.calls import text_of, text_to
from tests.driver import ADMIN_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi

PATIENT = 4001  # on Telegram
BALE_PATIENT = 5_000_000_001  # on Bale: ids there may be larger than 32 bits
BALE_ADMIN = 6_000_000_002
BALE_TOKEN = "654321:BALE-token-for-the-stand-in"


@asynccontextmanager
async def two_channels(
    tmp_path: Path, **env: str
) -> AsyncIterator[tuple[LiveBot, FakeBotApi, FakeBotApi]]:
    telegram = FakeBotApi()
    bale = FakeBotApi(flavour="bale", bot_username="mesocare_bale_bot", bot_id=888000)
    bale_env = {
        "BALE_BOT_TOKEN": BALE_TOKEN,
        "BALE_API_BASE_URL": "http://127.0.0.1:9",  # never dialled: the driver answers
        "BALE_ADMIN_IDS": str(BALE_ADMIN),
    }
    async with live_bot(telegram, tmp_path, bale_api=bale, **(bale_env | env)) as bot:
        yield bot, telegram, bale


async def link_on_bale(bot: LiveBot, chat_id: int, token: str, shown_in: str = "fa") -> None:
    """Open the invite in Bale and choose English under the welcome (shown in `shown_in`,
    the patient's language so far)."""
    chat = bot.driver.chat(chat_id, channel=BALE)
    await chat.send(f"/start {token}")
    (welcome,) = await _on_bale(bot, text_to(chat_id, opening(shown_in, "patient.language_prompt")))
    await chat.press("lang:welcome:en", under=welcome)
    await _on_bale(bot, text_to(chat_id, opening("en", "patient.language_set")))


async def _on_bale(
    bot: LiveBot, predicate: Callable[[ApiCall], bool], count: int = 1
) -> list[ApiCall]:
    return await bot.driver.expect(predicate, count=count, channel=BALE)


def _count(api: FakeBotApi, chat_id: int, step: str) -> int:
    """How many times the care message of `step` reached the chat (in English)."""
    return len(
        [c for c in api.messages_to(chat_id) if text_to(chat_id, opening("en", f"steps.{step}"))(c)]
    )


def _patient_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM patients").fetchone()[0])


def _channels(conn: sqlite3.Connection) -> dict[str, str | None]:
    rows = conn.execute("SELECT step, channel FROM care_messages WHERE state = 'sent'")
    return {step: channel for step, channel in rows}


async def test_a_patient_linked_on_bale_gets_their_care_messages_there(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, telegram, bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        (invite,) = [c for c in telegram.messages_to(ADMIN_ID) if "?start=" in text_of(c)]
        assert telegram.deep_link(token) in text_of(invite)
        assert bale.deep_link(token) in text_of(invite)  # https://ble.ir/<bot>?start=<token>
        await bot.expect(lambda c: c.method == "sendPhoto", count=2)  # a QR code each
        await link_on_bale(bot, BALE_PATIENT, token)

        await bot.advance_to(bot.local(days=2, at="12:00"))
        await _on_bale(bot, text_to(BALE_PATIENT, opening("en", "steps.pre_care")))
        await bot.advance_to(bot.local(days=3, at="11:30"))
        await _on_bale(bot, text_to(BALE_PATIENT, opening("en", "steps.day_of")))
        assert _count(bale, BALE_PATIENT, "pre_care") == _count(bale, BALE_PATIENT, "day_of") == 1
        assert all("parse_mode" not in call.params for call in bale.calls())  # plain text
        assert await bot.db(_channels) == {"pre_care": "bale", "day_of": "bale"}


async def test_linked_on_both_each_message_goes_once_and_by_bale_while_telegram_is_down(
    tmp_path: Path,
) -> None:
    async with two_channels(tmp_path) as (bot, telegram, bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await bot.link(PATIENT, token, "en")  # Telegram first: the preferred channel
        await link_on_bale(bot, BALE_PATIENT, token, shown_in="en")

        await bot.advance_to(bot.local(days=2, at="12:00"))
        await bot.expect(text_to(PATIENT, opening("en", "steps.pre_care")))
        bot.driver.cut(TELEGRAM)  # Telegram is cut off
        await bot.advance_to(bot.local(days=3, at="11:30"))
        await bot.deliver()  # the wake clock's next run: the retry is due at once, by Bale
        await _on_bale(bot, text_to(BALE_PATIENT, opening("en", "steps.day_of")))
        await bot.settle()

        assert (_count(telegram, PATIENT, "pre_care"), _count(bale, BALE_PATIENT, "pre_care")) == (
            1,
            0,
        )
        assert (_count(telegram, PATIENT, "day_of"), _count(bale, BALE_PATIENT, "day_of")) == (0, 1)
        assert await bot.db(_channels) == {"pre_care": "telegram", "day_of": "bale"}


async def test_staff_enrol_from_bale_and_get_both_links(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, telegram, _bale):
        local = bot.local(days=3, at="14:00").astimezone(TEHRAN)
        await bot.driver.chat(BALE_ADMIN, channel=BALE).send(
            f"/enrol Sara Ahmadi {local:%Y-%m-%d %H:%M}"
        )
        (reply,) = await _on_bale(bot, lambda c: "?start=" in str(c.params.get("text", "")))
        text = text_of(reply)
        assert "https://t.me/mesocare_test_bot?start=" in text
        assert "https://ble.ir/mesocare_bale_bot?start=" in text
        await _on_bale(bot, lambda c: c.method == "sendPhoto", count=2)
        assert telegram.messages_to(BALE_ADMIN) == []
        assert await bot.db(_patient_count) == 1


async def test_bale_is_never_asked_for_command_menus(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, telegram, bale):
        await show_menus(bot.services.apps[BALE])  # as the runner does once Bale answers
        assert telegram.calls("setMyCommands")  # Telegram's menus were set at start
        assert bale.calls("setMyCommands") == []
        await bot.driver.chat(BALE_ADMIN, channel=BALE).send("/today")  # the Bale side serves
        await _on_bale(bot, lambda c: c.method == "sendMessage")


async def test_staff_hear_once_that_telegram_has_been_down_for_30_minutes_and_once_it_is_back(
    tmp_path: Path,
) -> None:
    async with two_channels(tmp_path) as (bot, _telegram, bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await bot.link(PATIENT, token, "en")
        await link_on_bale(bot, BALE_PATIENT, token, shown_in="en")
        bot.driver.cut(TELEGRAM)
        await bot.advance_to(bot.local(days=2, at="12:00"))  # pre-care meets Telegram down
        await bot.deliver()  # the wake clock's next run: the retry is due at once, by Bale
        await _on_bale(bot, text_to(BALE_PATIENT, opening("en", "steps.pre_care")))
        outages = bot.services.outages
        assert outages is not None
        down = text_to(BALE_ADMIN, opening("fa", "channels.down"))
        for minutes in (29, 31, 45, 90):
            bot.clock.at = bot.local(days=2, at="12:00") + timedelta(minutes=minutes)
            await outages.check()
        await _on_bale(bot, down)
        assert len([c for c in bale.calls() if down(c)]) == 1

        bot.driver.restore(TELEGRAM)  # Telegram is back
        health = bot.services.channels.main.health
        await bot.services.apps[TELEGRAM].bot.get_me()  # any request that gets through
        assert health.reachable
        await outages.check()
        await outages.check()
        back_text = text_to(BALE_ADMIN, opening("fa", "channels.back"))
        await _on_bale(bot, back_text)
        assert len([c for c in bale.calls() if back_text(c)]) == 1
