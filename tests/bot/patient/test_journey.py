"""The whole default journey, every step and every answer button, in both languages: the real
application against the local Bot API stand-in, the shipped protocol and message files, and a
fake clock that walks from booking to the second six-monthly follow-up."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from care.core.clock import from_epoch
from care.core.models import AlertKind
from tests.bot.patient_harness import CATALOG, LiveBot, ask_another_time, live_bot, opening
from tests.calls import button_pairs, edit_of, message_id, text_of, text_to
from tests.driver import CLINIC_PHONE, STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.problems import staff_text

# Three patients booked for the same session; each taps a different answer at every step.
SARA, REZA, MINA = 2001, 2002, 2003
NAMES = {SARA: "Sara Ahmadi", REZA: "Reza Karimi", MINA: "Mina Rahimi"}
PRE_CARE = {SARA: "understood", REZA: "blood_thinner", MINA: "another_time"}
CHECK_IN = {SARA: "all_fine", REZA: "still_symptoms", MINA: "something_wrong"}
LATE_CHECK_IN = {SARA: "all_fine", REZA: "still_symptoms"}  # Mina does not answer
FOLLOW_UP = {SARA: "book_me", REZA: "not_now", MINA: "stop_reminders"}


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(sql).fetchall()]


def _next_follow_up(conn: sqlite3.Connection) -> datetime:
    """When the earliest pending follow-up falls due."""
    row = conn.execute(
        "SELECT min(due_at) FROM care_messages WHERE step = 'follow_up' AND state = 'pending'"
    ).fetchone()
    return from_epoch(row[0])


async def _step_reaches_everyone(
    bot: LiveBot, lang: str, step: str, count: int = 1
) -> dict[int, ApiCall]:
    """Each patient got the step's message (the `count`-th time), in `lang`, with its buttons."""
    arrived = {}
    for chat in NAMES:
        calls = await bot.expect(text_to(chat, opening(lang, f"steps.{step}")), count=count)
        message = calls[-1]
        labels = [label for label, _ in button_pairs(message)]
        answers = bot.services.plan.protocol.step(step).answers
        assert labels == [CATALOG.text(lang, f"answers.{answer}") for answer in answers]
        arrived[chat] = message
    return arrived


async def _answer(bot: LiveBot, lang: str, chat: int, message: ApiCall, answer: str) -> None:
    """Tap `answer` under `message`: the short reply comes, only the choice stays, ticked."""
    data = next(data for _, data in button_pairs(message) if data.endswith(f":{answer}"))
    if answer == "another_time":  # a picker of days and parts of the day first, then Send
        sent = await ask_another_time(bot, chat, message, lang)
        assert opening(lang, bot.reply_key(answer)) in text_of(sent)
    else:
        await bot.press(chat, data, message_id=message_id(message))
        await bot.expect(text_to(chat, opening(lang, bot.reply_key(answer))))
    (edit,) = await bot.expect(edit_of("editMessageReplyMarkup", chat, message_id(message)))
    assert button_pairs(edit) == [(f"✓ {CATALOG.text(lang, f'answers.{answer}')}", data)]


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_every_step_and_every_button(tmp_path: Path, lang: str) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, start="10:00") as bot:
            starts = bot.local(days=3, at="14:00")
            for chat, name in NAMES.items():
                await bot.patient(chat, name, starts, lang)

            # pre-care: 26 h before the start, with the three answers
            await bot.advance_to(bot.local(days=2, at="12:00"))
            pre_care = await _step_reaches_everyone(bot, lang, "pre_care")
            for chat, answer in PRE_CARE.items():
                await _answer(bot, lang, chat, pre_care[chat], answer)
            if lang == "fa":  # a Latin name inside Persian text is isolated, dates are Solar Hijri
                text = str(pre_care[SARA].params["text"])
                assert "\u2068Sara Ahmadi\u2069" in text
                assert not any(ch.isascii() and ch.isdigit() for ch in text)

            # day-of: 3 h before, with the address and the phone
            await bot.advance_to(bot.local(days=3, at="11:00"))
            day_of = await _step_reaches_everyone(bot, lang, "day_of")
            phone, address = (
                ("\u2066" + CLINIC_PHONE + "\u2069", "\u20681 Test Street\u2069")
                if lang == "fa"  # a phone is laid out left to right, an address by its letters
                else (CLINIC_PHONE, "1 Test Street")
            )
            assert phone in str(day_of[MINA].params["text"])
            assert address in str(day_of[MINA].params["text"])

            await bot.advance_to(bot.local(days=3, at="15:00"))
            await _step_reaches_everyone(bot, lang, "post_care")
            await bot.advance_to(bot.local(days=4, at="15:00"))
            await _step_reaches_everyone(bot, lang, "wash_ok")

            # check-in: 3 days after the end, with the urgent signs and the three answers
            await bot.advance_to(bot.local(days=6, at="15:00"))
            check_in = await _step_reaches_everyone(bot, lang, "check_in")
            for chat, answer in CHECK_IN.items():
                await _answer(bot, lang, chat, check_in[chat], answer)

            # late check-in: three weeks after the (only, so last) session, about firm lumps
            await bot.advance_to(bot.local(days=24, at="15:00"))
            late = await _step_reaches_everyone(bot, lang, "late_check_in")
            for chat, answer in LATE_CHECK_IN.items():
                await _answer(bot, lang, chat, late[chat], answer)

            # follow-up: six months after the (only, so last) session, at 10:00
            await bot.advance_to(await bot.db(_next_follow_up))
            follow_up = await _step_reaches_everyone(bot, lang, "follow_up")
            for chat, answer in FOLLOW_UP.items():
                await _answer(bot, lang, chat, follow_up[chat], answer)

            chains = await bot.db(
                _rows,
                "SELECT p.chat_id, m.state, m.answer FROM care_messages m"
                " JOIN patients p ON p.id = m.patient_id"
                " WHERE m.step = 'follow_up' ORDER BY p.chat_id, m.id",
            )
            assert chains == [
                (SARA, "sent", "book_me"),
                (SARA, "pending", None),  # "Book me" keeps the six-monthly reminder
                (REZA, "sent", "not_now"),
                (REZA, "pending", None),  # "Not now" declines this one only
                (MINA, "sent", "stop_reminders"),
                (MINA, "cancelled", None),  # "Stop these reminders" stops it
            ]

            # six months later: the follow-up again for Sara and Reza, not for Mina
            await bot.advance_to(await bot.db(_next_follow_up))
            await bot.settle()
            for chat in (SARA, REZA):
                await bot.expect(text_to(chat, opening(lang, "steps.follow_up")), count=2)
            to_mina = text_to(MINA, opening(lang, "steps.follow_up"))
            assert len([call for call in api.calls() if to_mina(call)]) == 1

            states = await bot.db(
                _rows,
                "SELECT p.chat_id, m.step, m.state FROM care_messages m"
                " JOIN patients p ON p.id = m.patient_id WHERE m.step != 'follow_up'",
            )
            assert {state for _, _, state in states} == {"sent"}
            # Only Sara recovered cleanly ("All fine", no alert): the satisfaction question.
            asked = [(chat, step) for chat, step, _ in states if step == "satisfaction"]
            assert asked == [(SARA, "satisfaction")]
            assert len(states) == 3 * 6 + 1

            alerts = await bot.db(
                _rows,
                "SELECT p.chat_id, a.kind, a.urgent FROM alerts a"
                " JOIN patients p ON p.id = a.patient_id ORDER BY a.id",
            )
            assert alerts == [
                (REZA, "blood_thinner", 0),
                (MINA, "another_time", 0),
                (REZA, "still_symptoms", 0),
                (MINA, "something_wrong", 1),
                (REZA, "still_symptoms", 0),  # a lump, three weeks on
                (SARA, "book_me", 0),
            ]
            for kind in (AlertKind.BLOOD_THINNER, AlertKind.SOMETHING_WRONG, AlertKind.BOOK_ME):
                await bot.expect(text_to(STAFF_ID, staff_text("fa", f"alerts.{kind.value}")))
            undelivered = await bot.db(_rows, "SELECT id FROM alerts WHERE delivered_at IS NULL")
            assert undelivered == []
