"""A photo when something is wrong: after "still have symptoms" at the check-in the bot
invites a photo of the treated area, and the photo reaches the staff group with the alert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.patient_harness import CATALOG, LiveBot, live_bot, opening
from tests.calls import button_pairs, message_id, sent_to, text_to
from tests.fakes.bot_api import FakeBotApi

GROUP = -100500
SARA = 2001


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[LiveBot]:
    with FakeBotApi() as api:
        async with live_bot(
            api, tmp_path, STAFF_CHAT_ID=str(GROUP), STAFF_LANGUAGE="en"
        ) as running:
            yield running


@pytest.mark.parametrize("answer", ["still_symptoms", "all_fine"])
async def test_a_photo_after_the_check_in_reaches_staff_with_the_alert(
    bot: LiveBot, answer: str
) -> None:
    await bot.patient(SARA, "Sara Ahmadi", bot.local(days=1, at="14:00"), "en")
    await bot.advance_to(bot.local(days=4, at="16:00"))
    (check_in,) = await bot.expect(text_to(SARA, opening("en", "steps.check_in")))
    data = next(d for _, d in button_pairs(check_in) if d.endswith(f":{answer}"))
    await bot.press(SARA, data, message_id=message_id(check_in))
    invite = CATALOG.text("en", "relay.photo_invite")
    if answer == "all_fine":
        await bot.expect(text_to(SARA, CATALOG.text("en", "replies.all_fine")))
        await bot.settle()
        assert not [c for c in bot.api.messages_to(SARA) if c.params.get("text") == invite]
        return
    await bot.expect(text_to(SARA, invite))
    (alert,) = await bot.expect(sent_to(GROUP, "still has symptoms"))
    bot.api.send_media(SARA, "photo")
    (header,) = await bot.expect(sent_to(GROUP, "sent a photo with the alert above"))
    assert header.params["reply_parameters"]["message_id"] == message_id(alert)
    (copy,) = await bot.expect(lambda call: call.method == "copyMessage")
    assert copy.params["chat_id"] == GROUP and copy.params["from_chat_id"] == SARA
