"""Issue 9 through the real application: a patient who opens the invite at 23:30 has just
pressed Start, so they are awake: the welcome and everything due for them go out at once,
pre-care and day-of included, instead of waiting for the morning. A linked patient who writes
in quiet hours gets what was waiting for the morning at once too."""

from __future__ import annotations

from pathlib import Path

from tests.bot.patient_harness import live_bot, opening, say
from tests.calls import text_to
from tests.fakes.bot_api import FakeBotApi

SARA = 3001


async def test_a_patient_who_links_at_23_30_gets_pre_care_and_day_of_at_once(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, start="10:00") as bot:
            # Booked at 10:00 for 10:00 tomorrow: pre-care is due at once (its 24-hour line is
            # now), day-of at 21:30 tonight (07:00 is in quiet hours; its line is 09:00).
            _, token = await bot.enrol("Sara Ahmadi", bot.local(days=1, at="10:00"))
            await bot.advance_to(bot.local(at="23:30"))  # quiet hours; the invite not opened
            await bot.send(SARA, f"/start {token}")  # nothing else: no tap, no text
            await bot.expect(text_to(SARA, opening("fa", "steps.pre_care")))
            await bot.expect(text_to(SARA, opening("fa", "steps.day_of")))
            await bot.settle()  # the sender records each answer after it arrives
            states = await bot.db(
                lambda conn: conn.execute(
                    "SELECT step, state FROM care_messages WHERE step IN ('pre_care', 'day_of')"
                    " ORDER BY step"
                ).fetchall()
            )
            assert [tuple(row) for row in states] == [("day_of", "sent"), ("pre_care", "sent")]


async def test_a_linked_patient_who_writes_in_quiet_hours_gets_what_waited_for_morning(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, start="10:00") as bot:
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=2, at="10:00"), "en")
            await bot.advance_to(bot.local(days=1, at="08:00"))
            await bot.expect(text_to(SARA, opening("en", "steps.pre_care")))
            # day-of fell due at 21:30; the bot finds it at 23:00 and holds it for 08:00
            await bot.advance_to(bot.local(days=1, at="23:00"))
            await bot.settle()
            day_of = text_to(SARA, opening("en", "steps.day_of"))
            assert not [call for call in api.calls() if day_of(call)]
            bot.clock.at = bot.local(days=1, at="23:10")
            await bot.send(SARA, "hello?")
            await bot.expect(text_to(SARA, say("en", "patient.free_text")))
            await bot.expect(day_of)
