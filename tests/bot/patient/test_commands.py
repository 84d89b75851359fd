"""The patient's commands and menu, in both languages, and what anyone else gets from them."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from care.content.catalog import FAQ_TOPICS, PATIENT_COMMANDS
from care.core.dates import JALALI_MONTHS_FA, format_date, format_time
from tests.bot.patient_harness import CATALOG, TEHRAN, LiveBot, live_bot, opening, say
from tests.calls import button_pairs, edit_of, message_id, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import FakeBotApi
from tests.problems import staff_text

SARA, STRANGER = 2001, 3003


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[LiveBot]:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as running:
            yield running


async def _sara(bot: LiveBot, lang: str, *, days: int = 10, at: str = "14:30") -> int:
    return await bot.patient(SARA, "Sara Ahmadi", bot.local(days=days, at=at), lang)


def _language(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT language FROM patients").fetchone()[0])


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_appointments_in_the_patients_calendar(bot: LiveBot, lang: str) -> None:
    await _sara(bot, lang)
    await bot.send(SARA, "/appointments")
    (reply,) = await bot.expect(text_to(SARA, opening(lang, "patient.appointments")))
    local = bot.local(days=10, at="14:30").astimezone(TEHRAN)
    text = str(reply.params["text"])
    assert format_date(local.date(), lang) in text
    assert format_time(local.time(), lang) in text
    if lang == "fa":  # Solar Hijri, Persian month names and digits
        assert any(month in text for month in JALALI_MONTHS_FA)
        assert "۱۴:۳۰" in text and not any(ch.isascii() and ch.isdigit() for ch in text)
    else:
        assert f"{local:%b} {local.year}" in text and "14:30" in text

    await bot.advance_to(bot.local(days=11))  # the session is over: nothing upcoming
    await bot.send(SARA, "/appointments")
    await bot.expect(text_to(SARA, say(lang, "patient.no_upcoming")))


async def test_care_gives_the_instructions_that_apply_now(bot: LiveBot) -> None:
    appointment = await _sara(bot, "en", days=2, at="11:00")
    await bot.send(SARA, "/care")
    await bot.expect(text_to(SARA, opening("en", "care.before")))

    await bot.advance_to(bot.local(days=2, at="12:30"))
    await bot.send(STAFF_ID, f"/done {appointment}")
    await bot.expect(text_to(STAFF_ID, "انجام شد"))  # desk.done_done, in Persian
    await bot.send(SARA, "/care")
    await bot.expect(text_to(SARA, opening("en", "care.after_24h")))

    await bot.advance_to(bot.local(days=3, at="12:31"))
    await bot.send(SARA, "/care")
    await bot.expect(text_to(SARA, say("en", "care.general")))


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_faq_offers_each_question_and_answers_it(bot: LiveBot, lang: str) -> None:
    await _sara(bot, lang)
    await bot.send(SARA, "/faq")
    (menu,) = await bot.expect(text_to(SARA, say(lang, "faq.title")))
    offered = button_pairs(menu)
    questions = [say(lang, f"faq.{topic}").splitlines()[0] for topic in FAQ_TOPICS]
    assert offered == [(q, f"faq:{t}") for q, t in zip(questions, FAQ_TOPICS, strict=True)]
    for topic in ("side_effects", "permanent"):
        await bot.press(SARA, f"faq:{topic}", message_id=message_id(menu))
        await bot.expect(text_to(SARA, say(lang, f"faq.{topic}")))
    await bot.press(SARA, "faq:forged", message_id=message_id(menu))
    await bot.expect(text_to(SARA, say(lang, "patient.button_stale")))


def receipt_key(bot: LiveBot) -> str:
    """What a patient who writes is told: staff read it now, or at the next opening."""
    is_open = bot.services.settings.working_time.is_open(bot.clock.now())
    return "relay.received_open" if is_open else "relay.received_closed"


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_help_free_text_and_unknown_commands_are_never_met_with_silence(
    bot: LiveBot, lang: str
) -> None:
    await _sara(bot, lang)
    await bot.send(SARA, "/help")
    await bot.expect(text_to(SARA, say(lang, "patient.help")))
    for typed in ("Hello, can I come an hour later?", "/nonsense", "/enrol Eve 2031-01-01 10:00"):
        await bot.send(SARA, typed)
    # Words go to the clinic's staff (bot/relay) and the patient is told so; an unknown
    # command gets the menu.
    await bot.expect(text_to(SARA, opening(lang, receipt_key(bot))))
    await bot.expect(text_to(SARA, say(lang, "patient.free_text")))
    await bot.expect(text_to(SARA, opening(lang, "patient.staff_only")))


async def test_strangers_and_staff_get_their_own_answers(bot: LiveBot) -> None:
    for typed in ("/appointments", "/care", "/faq", "/help", "/language", "/stop", "hi", "/x"):
        await bot.send(STRANGER, typed)
    await bot.expect(text_to(STRANGER, opening("fa", "patient.start_unknown")), count=8)
    for data in ("lang:menu:en", "stop:yes", "faq:what"):
        bot.api.press_button(STRANGER, data, message_id=1)
    await bot.expect(text_to(STRANGER, opening("fa", "patient.start_unknown")), count=11)
    await bot.send(STAFF_ID, "/help")
    await bot.expect(text_to(STAFF_ID, staff_text("fa", "staff.help")))
    patients = await bot.db(lambda conn: conn.execute("SELECT count(*) FROM patients").fetchone())
    assert patients[0] == 0


async def test_language_command_changes_every_later_text(bot: LiveBot) -> None:
    await _sara(bot, "fa")
    await bot.send(SARA, "/language")
    *_, prompt = await bot.expect(text_to(SARA, say("fa", "patient.language_prompt")), count=2)
    assert prompt.params["text"] == say("fa", "patient.language_prompt")  # not the welcome
    assert button_pairs(prompt) == [("فارسی", "lang:menu:fa"), ("English", "lang:menu:en")]
    await bot.press(SARA, "lang:menu:en", message_id=message_id(prompt))
    (edit,) = await bot.expect(edit_of("editMessageText", SARA, message_id(prompt)))
    assert edit.params["text"] == say("en", "patient.language_set")
    assert button_pairs(edit) == []
    assert await bot.db(_language) == "en"
    await bot.send(SARA, "/help")
    await bot.expect(text_to(SARA, say("en", "patient.help")))
    await bot.advance_to(bot.local(days=9, at="12:30"))  # pre-care, now in English
    await bot.expect(text_to(SARA, opening("en", "steps.pre_care")))


async def test_choosing_a_language_at_welcome_rewrites_the_welcome(bot: LiveBot) -> None:
    _, token = await bot.enrol("Sara Ahmadi", bot.local(days=10, at="14:30"))
    await bot.send(SARA, f"/start {token}")
    (welcome,) = await bot.expect(text_to(SARA, say("fa", "patient.language_prompt")))
    assert str(welcome.params["text"]).startswith("سلام \u2068Sara Ahmadi\u2069")
    await bot.press(SARA, "lang:welcome:en", message_id=message_id(welcome))
    (edit,) = await bot.expect(edit_of("editMessageText", SARA, message_id(welcome)))
    assert str(edit.params["text"]).startswith("Hello Sara Ahmadi, welcome to Test Clinic!")
    assert say("en", "patient.language_prompt") not in str(edit.params["text"])
    assert button_pairs(edit) == []
    await bot.expect(text_to(SARA, say("en", "patient.language_set")))
    assert await bot.db(_language) == "en"


async def test_the_patient_menu_is_set_in_both_languages(bot: LiveBot) -> None:
    menus = {
        call.params.get("language_code"): call.params
        for call in bot.api.calls("setMyCommands")
        if call.params.get("scope") == {"type": "all_private_chats"}
    }
    assert set(menus) == {None, "fa"}
    for code, lang in ((None, "en"), ("fa", "fa")):
        commands = menus[code]["commands"]
        assert [c["command"] for c in commands] == list(PATIENT_COMMANDS)
        assert [c["description"] for c in commands] == [
            CATALOG.text(lang, f"commands.{name}") for name in PATIENT_COMMANDS
        ]


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_an_error_is_told_to_the_patient_in_their_own_language(
    bot: LiveBot, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the clinic's default (Persian here), the patient's own choice."""
    await _sara(bot, lang)

    def broken(*_args: object) -> str:
        raise RuntimeError("a bug in the appointments list")

    monkeypatch.setattr("bot.patient.commands.appointments_text", broken)
    await bot.send(SARA, "/appointments")
    await bot.expect(text_to(SARA, opening(lang, "patient.error")))


async def test_a_stranger_who_meets_an_error_is_told_in_their_apps_language(
    bot: LiveBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug in the stranger's reply")

    monkeypatch.setattr("bot.common.fallback.say", broken)
    chat = bot.driver.chat(STRANGER, language_code="en-GB")  # the clinic's default: Persian
    await chat.send("hello")
    await bot.expect(text_to(STRANGER, opening("en", "patient.error")))
