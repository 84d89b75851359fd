"""The patient's messenger, chosen with /channel or on the staff card (issue 11.3), through
the real application with a Telegram and a Bale stand-in: the next care message goes by the
channel chosen; a forged button changes nothing; a patient on one messenger is told how to add
the other."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from care.core.channels import TELEGRAM
from jobs.channels.bale import BALE
from tests.bot.patient_harness import LiveBot, opening
from tests.bot.test_app_two_channels import (
    BALE_PATIENT,
    PATIENT,
    _channels,
    _count,
    link_on_bale,
    two_channels,
)
from tests.calls import button_pairs, text_of, text_to
from tests.driver import ADMIN_ID


def _preferred(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT preferred_channel FROM patients").fetchone()
    return None if row is None else row[0]


def _audited(conn: sqlite3.Connection) -> list[tuple[str, str, str | None]]:
    rows = conn.execute(
        "SELECT actor, action, detail FROM audit WHERE action = 'channel' ORDER BY id"
    )
    return [(str(actor), str(action), detail) for actor, action, detail in rows]


async def _on_both(bot: LiveBot) -> None:
    _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
    await bot.link(PATIENT, token, "en")  # Telegram first: the preferred channel
    await link_on_bale(bot, BALE_PATIENT, token, shown_in="en")


async def test_the_patient_moves_to_bale_and_staff_move_them_back(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, telegram, bale):
        await _on_both(bot)
        patient = bot.driver.chat(PATIENT)
        (prompt,) = await patient.send("/channel")
        assert opening("en", "channels.patient_prompt") in text_of(prompt)
        assert button_pairs(prompt) == [("✓ Telegram", "chan:telegram"), ("Bale", "chan:bale")]
        pressed = await patient.press("Bale", under=prompt)
        assert opening("en", "channels.patient_set") in text_of(pressed.outputs[0])
        assert await bot.db(_preferred) == BALE
        patient_id = 1
        assert await bot.db(_audited) == [(f"patient:{patient_id}", "channel", "telegram -> bale")]

        await bot.advance_to(bot.local(days=2, at="12:00"))  # pre-care: by Bale now
        await bot.driver.expect(
            text_to(BALE_PATIENT, opening("en", "steps.pre_care")), channel=BALE
        )

        staff = bot.driver.chat(ADMIN_ID)
        (card,) = await staff.send("/patient Sara")
        button = opening("fa", "channels.card_button")
        (label, data) = next((lb, d) for lb, d in button_pairs(card) if button in lb)
        assert data == f"ask:chan:{patient_id}:0:{TELEGRAM}" and "تلگرام" in label
        asked = await staff.press(data, under=card)
        (question,) = asked.outputs
        assert opening("fa", "channels.desk_confirm") in text_of(question)
        assert await bot.db(_preferred) == BALE  # asking changes nothing
        done = await staff.press(f"ok:chan:{patient_id}:0:{TELEGRAM}", under=question)
        assert opening("fa", "channels.desk_done") in text_of(done.outputs[0])
        assert await bot.db(_preferred) == TELEGRAM
        assert [row[1:] for row in await bot.db(_audited)][-1] == ("channel", "bale -> telegram")

        await bot.advance_to(bot.local(days=3, at="11:30"))  # day of: by Telegram again
        await bot.expect(text_to(PATIENT, opening("en", "steps.day_of")))
        await bot.settle()
        assert (_count(telegram, PATIENT, "pre_care"), _count(bale, BALE_PATIENT, "pre_care")) == (
            0,
            1,
        )
        assert (_count(telegram, PATIENT, "day_of"), _count(bale, BALE_PATIENT, "day_of")) == (1, 0)
        assert await bot.db(_channels) == {"pre_care": BALE, "day_of": TELEGRAM}


async def test_a_forged_or_unlinked_channel_button_changes_nothing(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, _telegram, _bale):
        await _on_both(bot)
        patient = bot.driver.chat(BALE_PATIENT, channel=BALE)
        (prompt,) = await patient.send("/channel")
        stale = opening("en", "patient.button_stale")
        for forged in ("chan:sms", "chan:x", "chan:Bale", "chan:bale:1"):
            pressed = await patient.press(forged, under=prompt)
            assert stale in text_of(pressed.outputs[0]), forged
        assert await bot.db(_preferred) == TELEGRAM
        assert await bot.db(_audited) == []

        staff = bot.driver.chat(ADMIN_ID)
        (card,) = await staff.send("/patient Sara")
        refused = await staff.press("ok:chan:1:0:sms", under=card)
        assert opening("fa", "channels.desk_not_linked") in refused.answer_text
        assert await bot.db(_preferred) == TELEGRAM
        assert await bot.db(_audited) == []


async def test_a_patient_on_one_messenger_is_told_how_to_add_the_other(tmp_path: Path) -> None:
    async with two_channels(tmp_path) as (bot, _telegram, _bale):
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await bot.link(PATIENT, token, "en")
        (reply,) = await bot.driver.chat(PATIENT).send("/channel")
        assert opening("en", "channels.patient_only_one") in text_of(reply)
        assert "Telegram" in text_of(reply) and "Bale" in text_of(reply)
        assert button_pairs(reply) == []

        staff = bot.driver.chat(ADMIN_ID)
        (card,) = await staff.send("/patient Sara")
        assert not [d for _label, d in button_pairs(card) if d.startswith("ask:chan:")]
