"""The satisfaction question through the real application: only after "All fine" at the
check-in of a course's last session with no alert since it began, at most once a course; a
low score alerts staff; a comment lands on the card."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from care.desk.actions import Action, Request, perform
from tests.bot.patient_harness import CATALOG, LiveBot, live_bot, opening
from tests.calls import button_pairs, message_id, text_of, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi

SARA = 2201


def _staff_in_english(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (?, 'en', 0)",
        (STAFF_ID,),
    )


async def _step(bot: LiveBot, lang: str, step: str, count: int = 1) -> ApiCall:
    calls = await bot.expect(text_to(SARA, opening(lang, f"steps.{step}")), count=count)
    return calls[-1]


async def _tap(bot: LiveBot, lang: str, message: ApiCall, answer: str) -> None:
    data = next(data for _, data in button_pairs(message) if data.endswith(f":{answer}"))
    await bot.press(SARA, data, message_id=message_id(message))
    await bot.expect(text_to(SARA, opening(lang, bot.reply_key(answer))))


def _asked(bot: LiveBot, lang: str) -> int:
    needle = opening(lang, "steps.satisfaction")
    return len([c for c in bot.api.calls() if text_to(SARA, needle)(c)])


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_a_clean_recovery_brings_one_question_and_a_low_score_alerts_staff(
    tmp_path: Path, lang: str
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.db(_staff_in_english)
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), lang)
            await bot.advance_to(bot.local(days=6, at="16:00"))
            await _tap(bot, lang, await _step(bot, lang, "check_in"), "all_fine")
            question = await _step(bot, lang, "satisfaction")
            labels = [label for label, _ in button_pairs(question)]
            assert labels == [CATALOG.text(lang, f"answers.score_{n}") for n in range(1, 6)]
            await _tap(bot, lang, question, "score_2")
            (alert,) = await bot.expect(text_to(STAFF_ID, "gave a low score"))
            assert "Sara Ahmadi" in text_of(alert)
            await bot.send(SARA, "The bruise took two weeks to fade")
            await bot.expect(text_to(SARA, CATALOG.text(lang, "satisfaction.comment_thanks")))
            # A second text is not a comment any more: it goes to the clinic (bot/relay).
            await bot.send(SARA, "hello?")
            is_open = bot.services.settings.working_time.is_open(bot.clock.now())
            receipt = "relay.received_open" if is_open else "relay.received_closed"
            await bot.expect(text_to(SARA, opening(lang, receipt)))
            await bot.expect(text_to(STAFF_ID, "hello?"))  # the staff have it, not the card
            await bot.send(STAFF_ID, "/patient 1")
            (card,) = await bot.expect(text_to(STAFF_ID, "👤 Sara Ahmadi (patient #1)"))
            assert "answered: 2 ⭐" in text_of(card)
            assert "The bruise took two weeks to fade" in text_of(card)
            # The late check-in's "all fine" asks nothing again: once a course.
            await bot.advance_to(bot.local(days=25, at="16:00"))
            await _tap(bot, lang, await _step(bot, lang, "late_check_in"), "all_fine")
            await bot.advance_to(bot.clock.now() + timedelta(days=1))
            await bot.settle()
            assert _asked(bot, lang) == 1


async def test_not_after_a_session_that_is_not_the_last(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
            added = await bot.db(
                lambda conn: perform(
                    conn,
                    Request(Action.ADD_SESSION, 1, starts_at=bot.local(days=20, at="14:00")),
                    plan=bot.services.plan,
                    actor="test",
                    now=bot.clock.now(),
                )
            )
            assert added.ok
            await bot.advance_to(bot.local(days=6, at="16:00"))
            await _tap(bot, "en", await _step(bot, "en", "check_in"), "all_fine")
            await bot.advance_to(bot.local(days=7, at="16:00"))
            await bot.settle()
            assert _asked(bot, "en") == 0


def _alert_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(row[0]) for row in conn.execute("SELECT id FROM alerts ORDER BY id")]


async def _mark_done(bot: LiveBot, alert_id: int) -> None:
    """The admin takes the alert and marks it done, with the buttons under its post."""
    (post,) = await bot.expect(
        lambda c: c.params.get("chat_id") == STAFF_ID and f"own:take:{alert_id}" in str(c.params)
    )
    await bot.press(STAFF_ID, f"own:take:{alert_id}", message_id=message_id(post))
    await bot.expect(lambda c: f"own:done:{alert_id}" in str(c.params))
    await bot.press(STAFF_ID, f"own:done:{alert_id}", message_id=message_id(post))
    await bot.settle()
    closed = await bot.db(
        lambda conn: conn.execute(
            "SELECT closed_at FROM alerts WHERE id = ?", (alert_id,)
        ).fetchone()[0]
    )
    assert closed is not None


@pytest.mark.parametrize("done", [False, True], ids=["still open", "marked done"])
async def test_an_alert_since_the_session_blocks_the_question_until_marked_done(
    tmp_path: Path, done: bool
) -> None:
    """Symptoms at the check-in raise an alert; "All fine" at the late check-in asks the
    question only if staff have marked that alert done by then."""
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
            await bot.advance_to(bot.local(days=6, at="16:00"))
            await _tap(bot, "en", await _step(bot, "en", "check_in"), "still_symptoms")
            await bot.deliver()  # the alert reaches the admin
            (alert_id,) = await bot.db(_alert_ids)
            if done:
                await _mark_done(bot, alert_id)
            await bot.advance_to(bot.local(days=25, at="16:00"))
            await _tap(bot, "en", await _step(bot, "en", "late_check_in"), "all_fine")
            await bot.advance_to(bot.local(days=26, at="16:00"))
            await bot.settle()
            assert _asked(bot, "en") == (1 if done else 0)


async def test_an_open_alert_from_before_the_last_session_does_not_block(tmp_path: Path) -> None:
    """An alert raised before the last session began (here: a blood thinner at pre-care) is
    not about its recovery: the physician has seen the patient since."""
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
            await bot.advance_to(bot.local(days=2, at="12:00"))
            await _tap(bot, "en", await _step(bot, "en", "pre_care"), "blood_thinner")
            await bot.deliver()
            assert len(await bot.db(_alert_ids)) == 1  # raised, and left open
            await bot.advance_to(bot.local(days=6, at="16:00"))
            await _tap(bot, "en", await _step(bot, "en", "check_in"), "all_fine")
            await bot.advance_to(bot.local(days=6, at="16:05"))
            await bot.settle()
            assert _asked(bot, "en") == 1
