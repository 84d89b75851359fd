"""Answer buttons pressed twice, too late, or by someone else: an honest reply, nothing changed
twice, nothing changed at all for a forger."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from care.db import appointments
from care.desk.actions import Action, Request, perform
from tests.bot.patient_harness import CATALOG, LiveBot, ask_another_time, live_bot, opening, say
from tests.calls import button_pairs, edit_of, message_id, text_of, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.problems import staff_text

SARA, REZA, STRANGER = 2001, 2002, 3003


def _dump(conn: sqlite3.Connection) -> list[str]:
    return list(conn.iterdump())


def _answers(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute("SELECT id, answer FROM care_messages ORDER BY id")]


def _alert_kinds(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT kind FROM alerts ORDER BY id")]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[LiveBot]:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as running:
            yield running


async def _pre_care(bot: LiveBot, chat: int, lang: str, *, days: int = 3) -> tuple[int, ApiCall]:
    """A linked patient whose pre-care message has arrived: its appointment and the message."""
    appointment = await bot.patient(chat, "Sara Ahmadi", bot.local(days=days, at="14:00"), lang)
    await bot.advance_to(bot.local(days=days - 1, at="12:00"))
    (message,) = await bot.expect(text_to(chat, opening(lang, "steps.pre_care")))
    return appointment, message


def _data(message: ApiCall, answer: str) -> str:
    return next(data for _, data in button_pairs(message) if data.endswith(f":{answer}"))


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_a_double_tap_records_once_and_alerts_once(bot: LiveBot, lang: str) -> None:
    _, message = await _pre_care(bot, SARA, lang)
    data = _data(message, "blood_thinner")
    await bot.press(SARA, data, message_id=message_id(message))
    await bot.press(SARA, data, message_id=message_id(message))
    await bot.expect(text_to(SARA, CATALOG.text(lang, "patient.already_answered")))
    await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.blood_thinner")))
    await bot.settle()
    replies = [
        c
        for c in bot.api.calls()
        if text_to(SARA, opening(lang, bot.reply_key("blood_thinner")))(c)
    ]
    assert len(replies) == 1
    assert await bot.db(_alert_kinds) == ["blood_thinner"]
    wording = staff_text("fa", "alerts.blood_thinner")
    alerts_to_staff = [
        c for c in bot.api.messages_to(STAFF_ID) if wording in str(c.params.get("text"))
    ]
    assert len(alerts_to_staff) == 1
    # pressing the ticked answer left under the message says the same
    await bot.press(SARA, data, message_id=message_id(message))
    await bot.expect(text_to(SARA, CATALOG.text(lang, "patient.already_answered")), count=2)
    assert await bot.db(_alert_kinds) == ["blood_thinner"]


async def _staff_do(bot: LiveBot, action: Action, appointment: int, **change: object) -> None:
    """What the desk does when staff confirm an action on the patient card."""
    services = bot.services
    found = await bot.db(appointments.get, appointment)
    assert found is not None
    request = Request(action, found.patient_id, appointment, **change)  # type: ignore[arg-type]
    result = await bot.db(
        perform, request, plan=services.plan, actor="test", now=services.clock.now()
    )
    assert result.ok, result.refusal


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_a_button_of_a_cancelled_appointment_is_stale(bot: LiveBot, lang: str) -> None:
    appointment, message = await _pre_care(bot, SARA, lang)
    await _staff_do(bot, Action.CANCEL, appointment)
    before = await bot.db(_dump)
    await bot.press(SARA, _data(message, "another_time"), message_id=message_id(message))
    await bot.expect(text_to(SARA, say(lang, "reschedule.cancelled")))
    (edit,) = await bot.expect(edit_of("editMessageReplyMarkup", SARA, message_id(message)))
    assert button_pairs(edit) == []  # the stale buttons are taken away
    assert await bot.db(_dump) == before


async def test_after_a_reschedule_the_old_buttons_are_stale_and_the_new_ones_count(
    bot: LiveBot,
) -> None:
    appointment, old = await _pre_care(bot, SARA, "en")
    await _staff_do(bot, Action.RESCHEDULE, appointment, starts_at=bot.local(days=10, at="14:00"))
    before = await bot.db(_dump)
    await bot.press(SARA, _data(old, "understood"), message_id=message_id(old))
    await bot.expect(text_to(SARA, CATALOG.text("en", "patient.button_stale")))
    assert await bot.db(_dump) == before

    await bot.advance_to(bot.local(days=9, at="12:00"))  # pre-care for the new time
    *_, new = await bot.expect(text_to(SARA, opening("en", "steps.pre_care")), count=2)
    sent = await ask_another_time(bot, SARA, new, "en")
    assert opening("en", bot.reply_key("another_time")) in text_of(sent)
    await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.another_time")))
    assert await bot.db(_alert_kinds) == ["another_time"]


async def test_a_forged_button_from_another_chat_changes_nothing(bot: LiveBot) -> None:
    _, message = await _pre_care(bot, SARA, "en")
    await bot.patient(REZA, "Reza Karimi", bot.local(days=9, at="10:00"), "fa")
    before = await bot.db(_dump)
    seen = len(bot.api.calls())
    urgent = _data(message, "another_time").replace("another_time", "something_wrong")
    forged = [
        (STRANGER, _data(message, "another_time"), "fa"),  # a stranger copies Sara's button
        (REZA, _data(message, "blood_thinner"), "fa"),  # another patient presses it
        (SARA, urgent, "en"),  # an answer pre-care never offered
        (SARA, "ans:99999:understood", "en"),  # no such message
        (SARA, "ans:not-a-number", "en"),
    ]
    for number, (presser, data, lang) in enumerate(forged, start=1):
        bot.api.press_button(presser, data, message_id=1)
        stale = CATALOG.text(lang, "patient.button_stale")
        await bot.expect(
            text_to(presser, stale), count=sum(1 for p, _, _ in forged[:number] if p == presser)
        )
    await bot.settle()
    assert await bot.db(_dump) == before
    assert await bot.db(_alert_kinds) == []
    since = bot.api.calls()[seen:]
    assert not [call for call in since if call.method.startswith("editMessage")]
    acknowledgements = [call for call in since if call.method == "answerCallbackQuery"]
    assert [call.params.get("text") for call in acknowledgements] == [None] * len(forged)


DO_NOT_CANCEL = {"en": "do not cancel your session on your own", "fa": "خودتان لغو نکنید"}


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_i_already_took_a_painkiller_alerts_staff_once_and_says_not_to_cancel(
    bot: LiveBot, lang: str
) -> None:
    _, message = await _pre_care(bot, SARA, lang)
    labels = [label for label, _ in button_pairs(message)]
    assert CATALOG.text(lang, "answers.took_painkiller") in labels
    data = _data(message, "took_painkiller")
    await bot.press(SARA, data, message_id=message_id(message))
    (reply,) = await bot.expect(text_to(SARA, opening(lang, bot.reply_key("took_painkiller"))))
    assert DO_NOT_CANCEL[lang] in str(reply.params["text"])
    await bot.press(SARA, data, message_id=message_id(message))  # a second tap alerts nobody
    await bot.expect(text_to(SARA, CATALOG.text(lang, "patient.already_answered")))
    await bot.deliver()
    await bot.settle()
    wording = staff_text("fa", "alerts.took_painkiller")
    alerts_to_staff = [
        c for c in bot.api.messages_to(STAFF_ID) if wording in str(c.params.get("text"))
    ]
    assert len(alerts_to_staff) == 1
    assert "Sara Ahmadi" in str(alerts_to_staff[0].params["text"])
    assert await bot.db(_alert_kinds) == ["took_painkiller"]
    answered = [row for row in await bot.db(_answers) if row[1] is not None]
    assert answered == [(int(data.split(":")[1]), "took_painkiller")]
