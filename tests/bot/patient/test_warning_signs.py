"""The signs that need a call to the clinic, from the end of the session on: in post-care, in
the check-in, under /care for two weeks, and the late check-in for lumps three weeks after the
last session. The real application, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from care.content import bidi
from tests.bot.patient_harness import CATALOG, LiveBot, live_bot, opening, say
from tests.calls import button_pairs, message_id, text_to
from tests.care.content.test_clinical_wording import WARNING_SIGNS
from tests.driver import CLINIC_PHONE, EMERGENCY_PHONE, STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.problems import staff_text

SARA = 2001


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[LiveBot]:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as running:
            yield running


def _has_the_signs(message: ApiCall, lang: str) -> None:
    text = str(message.params["text"])
    for sign in WARNING_SIGNS[lang]:
        assert sign in text, sign
    assert bidi.isolate_value("clinic_phone", CLINIC_PHONE, bidi.is_right_to_left(lang)) in text
    assert (
        bidi.isolate_value("emergency_phone", EMERGENCY_PHONE, bidi.is_right_to_left(lang)) in text
    )


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_post_care_and_the_check_in_list_the_signs_with_both_numbers(
    bot: LiveBot, lang: str
) -> None:
    await bot.patient(SARA, "Sara Ahmadi", bot.local(days=2, at="14:00"), lang)
    await bot.advance_to(bot.local(days=2, at="15:00"))  # the session's end
    (post_care,) = await bot.expect(text_to(SARA, opening(lang, "steps.post_care")))
    _has_the_signs(post_care, lang)
    await bot.advance_to(bot.local(days=5, at="15:00"))
    (check_in,) = await bot.expect(text_to(SARA, opening(lang, "steps.check_in")))
    _has_the_signs(check_in, lang)


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_the_late_check_in_asks_about_lumps_three_weeks_after_the_last_session(
    bot: LiveBot, lang: str
) -> None:
    await bot.patient(SARA, "Sara Ahmadi", bot.local(days=2, at="14:00"), lang)
    late = text_to(SARA, opening(lang, "steps.late_check_in"))
    await bot.advance_to(bot.local(days=22, at="15:00"))  # 20 days after the end: not yet
    await bot.settle()
    assert not [call for call in bot.api.calls() if late(call)]
    await bot.advance_to(bot.local(days=23, at="15:00"))  # 21 days
    (message,) = await bot.expect(late)
    text = str(message.params["text"])
    assert ("firm lump" if lang == "en" else "برآمدگی سفت") in text
    assert bidi.isolate_value("clinic_phone", CLINIC_PHONE, bidi.is_right_to_left(lang)) in text
    labels = [label for label, _ in button_pairs(message)]
    assert labels == [
        CATALOG.text(lang, f"answers.{answer}")
        for answer in ("all_fine", "still_symptoms", "something_wrong")
    ]
    lump = next(data for _, data in button_pairs(message) if data.endswith(":still_symptoms"))
    await bot.press(SARA, lump, message_id=message_id(message))
    await bot.expect(text_to(SARA, opening(lang, bot.reply_key("still_symptoms"))))
    await bot.deliver()
    await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.still_symptoms")))


async def test_care_shows_the_signs_for_the_first_two_weeks(bot: LiveBot) -> None:
    lang = "en"
    appointment = await bot.patient(SARA, "Sara Ahmadi", bot.local(days=1, at="14:00"), lang)
    await bot.advance_to(bot.local(days=1, at="14:50"))
    await bot.send(STAFF_ID, f"/done {appointment}")
    await bot.expect(text_to(STAFF_ID, "انجام شد"))  # desk.done_done, in Persian
    ended = bot.clock.now()
    signs = say(lang, "care.warning_signs")
    expected = [
        (timedelta(hours=1), f"{say(lang, 'care.after_24h')}\n\n{signs}"),
        (timedelta(days=3), f"{say(lang, 'care.general')}\n\n{signs}"),
        (timedelta(days=14) - timedelta(minutes=1), f"{say(lang, 'care.general')}\n\n{signs}"),
        (timedelta(days=14), say(lang, "care.general")),
    ]
    for number, (after, text) in enumerate(expected, start=1):
        await bot.advance_to(ended + after)
        await bot.send(SARA, "/care")
        answers = await bot.expect(_care_reply, count=number)
        assert answers[-1].params["text"] == text, after


def _care_reply(call: ApiCall) -> bool:
    """A /care answer to Sara: every one of them opens with one of the three phases."""
    phases = [opening("en", f"care.{phase}") for phase in ("after_24h", "general", "before")]
    return any(text_to(SARA, phase)(call) for phase in phases)
