"""A patient back for a second course, through the real application: /enrol finds their
record, staff add the course to it, and a linked patient is told in their chat (on Telegram or
on Bale), with no new invite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jobs.channels.bale import BALE
from tests.bot.patient_harness import CATALOG, TEHRAN, LiveBot, live_bot, opening
from tests.bot.test_app_two_channels import BALE_PATIENT, link_on_bale, two_channels
from tests.calls import button_pairs, message_id, text_of, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi

SARA = 2301


def _staff_in_english(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (?, 'en', 0)",
        (STAFF_ID,),
    )


def _records(conn: sqlite3.Connection) -> tuple[int, int, int, int]:
    """Patients, invites, the second course's sessions on record 1, and its Telegram chats."""
    row = conn.execute(
        "SELECT (SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM invites),"
        " (SELECT COUNT(*) FROM appointments WHERE patient_id = 1 AND course = 2),"
        " (SELECT COUNT(*) FROM patient_chats WHERE channel = 'telegram')"
    ).fetchone()
    return row[0], row[1], row[2], row[3]


async def _add_a_course_to_sara(bot: LiveBot) -> tuple[ApiCall, str]:
    """/enrol Sara again, 200 days on, and add the course to her record: staff's answer and
    the button pressed."""
    later = bot.local(days=200, at="14:00").astimezone(TEHRAN)
    await bot.send(STAFF_ID, f"/enrol sara ahmadi {later:%Y-%m-%d %H:%M}")
    (question,) = await bot.expect(text_to(STAFF_ID, "is already on record"))
    add = next(data for _, data in button_pairs(question) if data.startswith("ret:add:"))
    await bot.press(STAFF_ID, add, message_id=message_id(question))
    (done,) = await bot.expect(text_to(STAFF_ID, "New course added to patient #1"))
    assert CATALOG.text("en", "desk.told") in text_of(done)
    assert "?start=" not in text_of(done)  # no link for staff to hand over
    return question, add


async def test_a_second_course_lands_on_the_first_record_without_a_new_invite(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.db(_staff_in_english)
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
            question, add = await _add_a_course_to_sara(bot)
            await bot.expect(text_to(SARA, opening("en", "patient.new_course")))
            assert await bot.db(_records) == (1, 1, 1, 1)
            # The same button again finds nothing held: nothing changes.
            await bot.press(STAFF_ID, add, message_id=message_id(question))
            await bot.expect(text_to(STAFF_ID, "This choice is no longer open"))
            assert await bot.db(_records) == (1, 1, 1, 1)


async def test_a_namesake_can_still_be_enrolled_as_a_new_patient(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.db(_staff_in_english)
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
            later = bot.local(days=10, at="14:00").astimezone(TEHRAN)
            await bot.send(STAFF_ID, f"/enrol Sara Ahmadi {later:%Y-%m-%d %H:%M}")
            (question,) = await bot.expect(text_to(STAFF_ID, "is already on record"))
            new = next(data for _, data in button_pairs(question) if data.startswith("ret:new:"))
            await bot.press(STAFF_ID, new, message_id=message_id(question))
            await bot.expect(text_to(STAFF_ID, "Patient #2"))
            assert (await bot.db(_records))[0] == 2


async def test_a_patient_linked_only_on_bale_hears_of_the_new_course_there(
    tmp_path: Path,
) -> None:
    async with two_channels(tmp_path) as (bot, telegram, _bale):
        await bot.db(_staff_in_english)
        _appointment, token = await bot.enrol("Sara Ahmadi", bot.local(days=3, at="14:00"))
        await link_on_bale(bot, BALE_PATIENT, token)
        invites_before = len([c for c in telegram.calls() if "?start=" in text_of(c)])
        qr_codes_before = len(telegram.calls("sendPhoto"))  # one per channel

        await _add_a_course_to_sara(bot)

        (told,) = await bot.driver.expect(
            text_to(BALE_PATIENT, opening("en", "patient.new_course")), channel=BALE
        )
        assert "?start=" not in text_of(told)
        assert not [c for c in telegram.calls() if c.params.get("chat_id") == BALE_PATIENT]
        assert len([c for c in telegram.calls() if "?start=" in text_of(c)]) == invites_before
        assert len(telegram.calls("sendPhoto")) == qr_codes_before  # no new QR code
        assert await bot.db(_records) == (1, 1, 1, 0)
