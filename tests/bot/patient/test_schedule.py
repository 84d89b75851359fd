"""When patients hear from the bot: paused and resumed, quiet hours both ways, late bookings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.bot.patient_harness import CATALOG, LiveBot, live_bot, opening, say
from tests.calls import button_pairs, edit_of, message_id, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import FakeBotApi
from tests.problems import staff_text

SARA, REZA, MINA = 2001, 2002, 2003
STEPS = ("pre_care", "day_of", "post_care", "wash_ok", "check_in")


def _states(conn: sqlite3.Connection, chat: int) -> dict[str, str]:
    rows = conn.execute(
        "SELECT m.step, m.state FROM care_messages m JOIN patients p ON p.id = m.patient_id"
        " WHERE p.chat_id = ?",
        (chat,),
    )
    return {step: state for step, state in rows}


def _status(conn: sqlite3.Connection, chat: int) -> str:
    return str(conn.execute("SELECT status FROM patients WHERE chat_id = ?", (chat,)).fetchone()[0])


def _steps_received(bot: LiveBot, chat: int, lang: str) -> list[str]:
    texts = [str(call.params.get("text")) for call in bot.api.messages_to(chat)]
    return [s for s in STEPS if any(opening(lang, f"steps.{s}") in t for t in texts)]


async def _stop(bot: LiveBot, chat: int, lang: str, *, confirm: bool, times: int = 1) -> None:
    await bot.send(chat, "/stop")
    calls = await bot.expect(text_to(chat, say(lang, "patient.stop_confirm")), count=times)
    question = calls[-1]
    assert button_pairs(question) == [
        (CATALOG.text(lang, "buttons.stop_confirm"), "stop:yes"),
        (CATALOG.text(lang, "buttons.no"), "stop:no"),
    ]
    await bot.press(chat, "stop:yes" if confirm else "stop:no", message_id=message_id(question))
    (edit,) = await bot.expect(edit_of("editMessageText", chat, message_id(question)))
    outcome = "patient.stopped" if confirm else "patient.stop_kept"
    assert edit.params["text"] == say(lang, outcome)


async def test_a_paused_patient_gets_nothing_and_a_resumed_one_gets_the_rest(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            for chat, name, lang in ((SARA, "Sara Ahmadi", "en"), (REZA, "Reza Karimi", "fa")):
                await bot.patient(chat, name, bot.local(days=3, at="14:00"), lang)

            await _stop(bot, SARA, "en", confirm=False)
            assert await bot.db(_status, SARA) == "active"
            await _stop(bot, SARA, "en", confirm=True, times=2)
            await _stop(bot, REZA, "fa", confirm=True)
            assert await bot.db(_status, SARA) == await bot.db(_status, REZA) == "paused"
            await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.paused")), count=2)

            await bot.advance_to(bot.local(days=2, at="12:00"))  # pre-care falls due
            await bot.settle()
            assert _steps_received(bot, SARA, "en") == _steps_received(bot, REZA, "fa") == []

            await bot.advance_to(bot.local(days=2, at="18:00"))
            await bot.send(REZA, "/start")
            await bot.expect(text_to(REZA, say("fa", "patient.resumed")))
            await bot.expect(text_to(REZA, opening("fa", "patient.welcome")), count=2)
            await bot.expect(text_to(REZA, opening("fa", "steps.pre_care")))  # still useful
            assert await bot.db(_status, REZA) == "active"

            for day, at in ((3, "11:00"), (3, "15:00"), (4, "15:00"), (6, "15:00"), (9, "10:00")):
                await bot.advance_to(bot.local(days=day, at=at))
            await bot.settle()
            assert _steps_received(bot, REZA, "fa") == list(STEPS)
            assert _steps_received(bot, SARA, "en") == []
            sara = await bot.db(_states, SARA)
            assert {sara[step] for step in STEPS} == {"skipped"}  # never sent late
            assert sara["follow_up"] == "pending"  # still held, months away


async def test_quiet_hours_move_messages_earlier_and_later(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.patient(MINA, "Mina Rahimi", bot.local(days=3, at="09:00"), "en")
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="21:30"), "en")

            # Earlier: Mina's pre-care (07:00 the day before) comes the evening before that,
            # at 21:30, just before quiet hours.
            await bot.advance_to(bot.local(days=1, at="21:29"))
            await bot.settle()
            assert _steps_received(bot, MINA, "en") == []
            await bot.advance_to(bot.local(days=1, at="21:30"))
            await bot.expect(text_to(MINA, opening("en", "steps.pre_care")))
            # and her day-of (06:00 on the day) the evening before, at 21:30
            await bot.advance_to(bot.local(days=2, at="21:30"))
            await bot.expect(text_to(MINA, opening("en", "steps.day_of")))

            # Later: Sara's session ends at 22:30. Post-care goes at once, night or not;
            # wash-ok (22:30 the next night) waits for 08:00.
            await bot.advance_to(bot.local(days=3, at="18:30"))
            await bot.advance_to(bot.local(days=3, at="22:30"))
            await bot.expect(text_to(SARA, opening("en", "steps.post_care")))
            await bot.advance_to(bot.local(days=4, at="22:30"))
            await bot.advance_to(bot.local(days=5, at="07:59"))
            await bot.settle()
            assert "wash_ok" not in _steps_received(bot, SARA, "en")
            await bot.advance_to(bot.local(days=5, at="08:00"))
            await bot.expect(text_to(SARA, opening("en", "steps.wash_ok")))
            assert _steps_received(bot, SARA, "en") == [
                "pre_care",
                "day_of",
                "post_care",
                "wash_ok",
            ]


async def test_a_late_booking_gets_pre_care_and_day_of_at_once(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, start="10:00") as bot:
            # No clock moves: linking itself sends them.
            await bot.patient(SARA, "Sara Ahmadi", bot.local(at="13:00"), "fa")
            await bot.expect(text_to(SARA, opening("fa", "steps.pre_care")))
            await bot.expect(text_to(SARA, opening("fa", "steps.day_of")))
            assert (await bot.db(_states, SARA))["post_care"] == "pending"


async def test_a_late_booking_at_night_goes_out_when_the_patient_links(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, start="23:00") as bot:
            # Booked at 23:00 for 09:30 tomorrow: pre-care's 24-hour line has passed, and the
            # patient, who opens the invite now, is awake: day-of need not wait for 08:00.
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=1, at="09:30"), "fa")
            await bot.expect(text_to(SARA, opening("fa", "steps.pre_care")))
            await bot.expect(text_to(SARA, opening("fa", "steps.day_of")))
