"""A no-show through the real application: the next working morning the patient gets one
polite nudge; "Book me" alerts staff with the course's remaining sessions, "Not now" ends it."""

from __future__ import annotations

import sqlite3
from datetime import time, timedelta
from pathlib import Path

import pytest

from care.core.clock import from_epoch
from care.desk.actions import Action, Request, perform
from tests.bot.patient_harness import CATALOG, TEHRAN, LiveBot, live_bot, opening
from tests.calls import button_pairs, message_id, text_of, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi

SARA = 2101


def _nudges(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT state, due_at FROM care_messages WHERE step = 'no_show_follow_up'"
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


async def _miss_a_session(bot: LiveBot, lang: str) -> tuple[int, int]:
    """Sara misses the first of two sessions; staff mark it twice. Both appointment ids."""
    await bot.db(
        lambda conn: conn.execute(
            "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (?, 'en', 0)",
            (STAFF_ID,),
        )
    )
    first = await bot.patient(SARA, "Sara Ahmadi", bot.local(days=1, at="14:00"), lang)
    second_start = bot.local(days=15, at="14:00")
    added = await bot.db(
        lambda conn: perform(
            conn,
            Request(Action.ADD_SESSION, 1, starts_at=second_start),
            plan=bot.services.plan,
            actor="test",
            now=bot.clock.now(),
        )
    )
    assert added.ok and added.appointment is not None
    await bot.advance_to(bot.local(days=1, at="15:30"))
    for _ in range(2):  # pressing it twice does not make a second nudge
        await bot.send(STAFF_ID, f"/noshow {first}")
        asks = await bot.expect(text_to(STAFF_ID, "as a no-show?"))
        (confirm,) = [data for _, data in button_pairs(asks[-1]) if data.startswith("ok:")]
        await bot.press(STAFF_ID, confirm, message_id=message_id(asks[-1]))
        await bot.settle()
    return first, added.appointment.id


async def _nudge_arrives(bot: LiveBot, lang: str) -> ApiCall:
    (pending,) = await bot.db(_nudges)
    due = from_epoch(pending[1]).astimezone(TEHRAN)
    marked_day = bot.local(days=1).astimezone(TEHRAN).date()
    working = bot.services.settings.working_time
    assert due.date() == working.next_working_day(marked_day)
    assert due.time() == time(10, 0)
    await bot.advance_to(due.astimezone(TEHRAN) - timedelta(minutes=1))
    nudge = opening(lang, "steps.no_show_follow_up")
    assert not [c for c in bot.api.calls() if text_to(SARA, nudge)(c)]  # not that night
    await bot.advance_to(due)
    (message,) = await bot.expect(text_to(SARA, nudge))
    labels = [label for label, _ in button_pairs(message)]
    assert labels == [CATALOG.text(lang, "answers.rebook"), CATALOG.text(lang, "answers.no_rebook")]
    return message


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_book_me_after_a_no_show_alerts_staff_with_the_remaining_sessions(
    tmp_path: Path, lang: str
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            _, second = await _miss_a_session(bot, lang)
            message = await _nudge_arrives(bot, lang)
            rebook = next(data for _, data in button_pairs(message) if data.endswith(":rebook"))
            await bot.press(SARA, rebook, message_id=message_id(message))
            await bot.expect(text_to(SARA, opening(lang, bot.reply_key("rebook"))))
            (alert,) = await bot.expect(text_to(STAFF_ID, "missed a session"))
            assert f"#{second}" in text_of(alert).split("Sessions still booked")[1]
            await bot.press(SARA, rebook, message_id=message_id(message))
            await bot.expect(text_to(SARA, opening(lang, "patient.already_answered")))
            await bot.advance_to(bot.clock.now() + timedelta(days=20))
            await bot.settle()
            assert len([c for c in api.calls() if text_to(STAFF_ID, "missed a session")(c)]) == 1
            nudge = opening(lang, "steps.no_show_follow_up")
            assert len([c for c in api.calls() if text_to(SARA, nudge)(c)]) == 1
            assert [state for state, _ in await bot.db(_nudges)] == ["sent"]


async def test_not_now_ends_it_without_an_alert(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await _miss_a_session(bot, "en")
            message = await _nudge_arrives(bot, "en")
            not_now = next(data for _, data in button_pairs(message) if data.endswith(":no_rebook"))
            await bot.press(SARA, not_now, message_id=message_id(message))
            await bot.expect(text_to(SARA, opening("en", "replies.no_rebook")))
            await bot.advance_to(bot.clock.now() + timedelta(days=30))
            await bot.settle()
            assert not [c for c in api.calls() if text_to(STAFF_ID, "missed a session")(c)]
            assert len([c for c in api.calls() if text_to(SARA, "we missed you")(c)]) == 1
