"""I need another time, through the real application: the patient picks days and parts of the
day, staff get one alert with the choices, the card offers the free times that match, and one
tap moves the session and tells the patient. Forged, stale and replayed buttons, strangers,
and sessions that are past, cancelled or moved change nothing."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.desk import buttons as desk_buttons
from bot.patient.reschedule_buttons import Picker, Press, encode
from care.core.clock import from_epoch
from care.core.dates import staff_day
from care.desk.actions import Action, Request, perform
from care.schedule.day_parts import offered_days
from tests.bot.patient_harness import (
    TEHRAN,
    LiveBot,
    ask_another_time,
    live_bot,
    opening,
    say,
)
from tests.calls import button_pairs, message_id, text_of, text_to
from tests.driver import STAFF_ID
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.problems import staff_text

SARA, REZA, STRANGER = 2201, 2202, 2299


def _english_staff(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (?, 'en', 0)",
        (STAFF_ID,),
    )


def _dump(conn: sqlite3.Connection) -> list[str]:
    return list(conn.iterdump())


def _alerts(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    rows = conn.execute("SELECT kind, closed_at IS NULL FROM alerts ORDER BY id").fetchall()
    return [(row[0], bool(row[1])) for row in rows]


def _choices(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT day, part FROM reschedule_choices ORDER BY day, part").fetchall()
    return [(row[0], row[1]) for row in rows]


async def _pre_care(bot: LiveBot, lang: str, *, days: int = 3) -> tuple[int, ApiCall]:
    """Sara, linked, booked on day `days` at 14:00; her pre-care message, the day before."""
    starts = bot.local(days=days, at="14:00")
    appointment = await bot.patient(SARA, "Sara Ahmadi", starts, lang)
    await bot.advance_to(bot.local(days=days - 1, at="12:00"))
    (message,) = await bot.expect(text_to(SARA, opening(lang, "steps.pre_care")))
    return appointment, message


def _offered(bot: LiveBot) -> list[date]:
    return offered_days(bot.services.settings.working_time, bot.clock.now())


def _slots(card: ApiCall) -> list[Request]:
    """The card's one-tap moves: each a confirmed reschedule."""
    found = []
    for _, data in button_pairs(card):
        button = desk_buttons.decode(data)
        if button is not None and button.kind is desk_buttons.ButtonKind.CONFIRM:
            assert button.request is not None
            found.append(button.request)
    return found


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_two_choices_one_alert_and_a_one_tap_move(tmp_path: Path, lang: str) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            await bot.db(_english_staff)
            appointment, message = await _pre_care(bot, lang)
            days = _offered(bot)
            # Reza has the first morning slot of the second offered day.
            taken = bot.local(days=(days[1] - bot.day0.date()).days, at="09:00")
            await bot.enrol("Reza Karimi", taken)

            sent = await ask_another_time(bot, SARA, message, lang, days=(0, 1), parts=(0,))
            assert opening(lang, "reschedule.sent") in text_of(sent)
            assert opening(lang, bot.reply_key("another_time")) in text_of(sent)
            # under the care message only the chosen answer stays, ticked
            ticked = [c for c in api.calls() if c.method == "editMessageReplyMarkup"]
            assert [label for label, _ in button_pairs(ticked[-1])] == [
                f"✓ {say(lang, 'answers.another_time')}"
            ]
            assert await bot.db(_choices) == [
                (days[0].isoformat(), "morning"),
                (days[1].isoformat(), "morning"),
            ]

            (alert,) = await bot.expect(text_to(STAFF_ID, "asks for another appointment time"))
            assert "Times that suit them:" in text_of(alert)
            assert days[0].strftime("%-d %b") in text_of(alert)
            assert days[1].strftime("%-d %b") in text_of(alert)
            assert await bot.db(_alerts) == [("another_time", True)]

            await bot.send(STAFF_ID, "/patient 1")
            (card,) = await bot.expect(text_to(STAFF_ID, "asks for another time ("))
            moves = _slots(card)
            starts = [m.starts_at for m in moves if m.starts_at is not None]
            assert [m.appointment_id for m in moves] == [appointment] * 5
            assert taken not in starts  # Reza's session is taken
            local = sorted(s.astimezone(TEHRAN) for s in starts)
            assert [(s.date(), s.hour) for s in local] == [
                (days[0], 9),
                (days[0], 10),
                (days[0], 11),
                (days[1], 10),
                (days[1], 11),
            ]

            # one tap moves it; the care messages are planned afresh, the patient is told
            target = next(
                m
                for m in moves
                if m.starts_at == bot.local(days=(days[1] - bot.day0.date()).days, at="10:00")
            )
            data = desk_buttons.action(desk_buttons.ButtonKind.CONFIRM, target)
            await bot.press(STAFF_ID, data, message_id=message_id(card))
            await bot.expect(text_to(SARA, opening(lang, "patient.rescheduled")))
            moved = await bot.db(
                lambda conn: conn.execute(
                    "SELECT starts_at FROM appointments WHERE id = ?", (appointment,)
                ).fetchone()[0]
            )
            assert from_epoch(moved) == target.starts_at
            states = await bot.db(
                lambda conn: conn.execute(
                    "SELECT step, state, reason FROM care_messages WHERE appointment_id = ?"
                    " AND step = 'day_of' ORDER BY id",
                    (appointment,),
                ).fetchall()
            )
            assert [(s[1], s[2]) for s in states] == [
                ("cancelled", "rescheduled"),
                ("pending", None),
            ]
            # the request is done with: the card offers nothing more
            await bot.send(STAFF_ID, "/patient 1")
            await bot.settle()
            cards = [c for c in api.calls() if text_to(STAFF_ID, "Sara Ahmadi (patient #1)")(c)]
            assert "asks for another time (" not in text_of(cards[-1])
            assert _slots(cards[-1]) == []


async def test_persian_staff_read_the_choices_in_solar_hijri_with_persian_digits(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            _, message = await _pre_care(bot, "fa")
            days = _offered(bot)
            await ask_another_time(bot, SARA, message, "fa", days=(2,), parts=(1, 2))
            (alert,) = await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.another_time")))
            text = text_of(alert)
            day = staff_text("fa", "reschedule.part_afternoon")
            assert day in text and staff_text("fa", "reschedule.part_evening") in text
            choices = text.split(opening("fa", "reschedule_staff.choices"))[1]
            assert not any(ch.isascii() and ch.isdigit() for ch in choices)
            assert staff_day(days[2], "fa").split(" (")[0] in choices


async def test_a_second_request_replaces_the_choices_and_keeps_one_open_alert(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            _, pre_care = await _pre_care(bot, "en")
            first = await ask_another_time(bot, SARA, pre_care, "en", days=(0,), parts=(0,))
            assert await bot.db(_alerts) == [("another_time", True)]
            # the same Send again (a replay) is told it is answered, and changes nothing
            before = await bot.db(_dump)
            old_send = Picker(1, message_id(pre_care), _offered(bot)[0], days=1, parts=1)
            await bot.press(SARA, encode(Press.SEND, old_send), message_id=message_id(first))
            await bot.expect(text_to(SARA, say("en", "patient.already_answered")))
            assert await bot.db(_dump) == before

            await bot.advance_to(bot.local(days=3, at="11:00"))  # the day-of message
            (day_of,) = await bot.expect(text_to(SARA, opening("en", "steps.day_of")))
            days = _offered(bot)
            second = await ask_another_time(bot, SARA, day_of, "en", days=(1,), parts=(2,))
            assert opening("en", "reschedule.replaced") in text_of(second)
            assert await bot.db(_choices) == [(days[1].isoformat(), "evening")]
            assert await bot.db(_alerts) == [("another_time", False), ("another_time", True)]
            await bot.expect(text_to(STAFF_ID, staff_text("fa", "alerts.another_time")), count=2)


async def test_strangers_forgeries_empty_and_stale_pickers_change_nothing(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            # A session on a working day: the picker's first day then changes at the midnight
            # before it (on a closed day, only after it, whatever today's weekday).
            working = bot.services.settings.working_time
            days = next(
                d for d in range(30, 60) if working.is_working_day((bot.day0 + timedelta(d)).date())
            )
            _, message = await _pre_care(bot, "en", days=days)
            data = next(d for _, d in button_pairs(message) if d.endswith(":another_time"))
            await bot.press(SARA, data, message_id=message_id(message))
            (picker,) = await bot.expect(text_to(SARA, opening("en", "reschedule.ask")))
            toggle = next(d for _, d in button_pairs(picker) if d.startswith("rq:t:"))
            send = next(d for _, d in button_pairs(picker) if d.startswith("rq:s:"))
            before = await bot.db(_dump)

            bot.api.press_button(STRANGER, toggle, message_id=message_id(picker))
            await bot.expect(text_to(STRANGER, say("fa", "patient.button_stale")))
            bot.api.press_button(STRANGER, data, message_id=message_id(message))
            await bot.expect(text_to(STRANGER, say("fa", "patient.button_stale")), count=2)
            for forged in (
                send.replace(":0:0", ":64:0"),  # a day the picker never offers
                send.replace("rq:s:", "rq:x:"),
                "rq:s:1:1:20261399:1:1",  # no such date
                "rq:s:99999:1:" + send.split(":")[4] + ":1:1",  # someone else's message
            ):
                bot.api.press_button(SARA, forged, message_id=message_id(picker))
            await bot.expect(text_to(SARA, say("en", "patient.button_stale")), count=4)

            # Send with nothing ticked: asked to pick first
            await bot.press(SARA, send, message_id=message_id(picker))
            await bot.settle()
            answers = [c for c in api.calls() if c.method == "answerCallbackQuery"]
            assert answers[-1].params.get("text") == say("en", "reschedule.pick_first")
            assert answers[-1].params.get("show_alert") is True
            assert await bot.db(_dump) == before

            # a picker from an earlier day comes back fresh, with today's days
            first = _offered(bot)[0]
            while _offered(bot)[0] == first:
                await bot.advance_to(bot.clock.now() + timedelta(hours=1))
            assert bot.clock.now() < bot.local(days=days, at="14:00")  # the session is ahead
            before = await bot.db(_dump)
            await bot.press(SARA, toggle, message_id=message_id(picker))
            await bot.settle()
            # The picker's own edit (the welcome may be edited meanwhile, as days pass).
            edits = [
                c
                for c in api.calls()
                if c.method == "editMessageText"
                and int(c.params.get("message_id", 0)) == message_id(picker)
            ]
            assert opening("en", "reschedule.outdated") in text_of(edits[-1])
            fresh = next(d for _, d in button_pairs(edits[-1]) if d.startswith("rq:s:"))
            assert fresh.split(":")[4] == f"{_offered(bot)[0]:%Y%m%d}"
            assert await bot.db(_dump) == before


@pytest.mark.parametrize("what", ["past", "cancelled", "moved"])
async def test_a_session_past_cancelled_or_moved_says_so(tmp_path: Path, what: str) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            appointment, message = await _pre_care(bot, "en")
            if what == "past":
                await bot.advance_to(bot.local(days=3, at="14:30"))
            else:
                action = Action.CANCEL if what == "cancelled" else Action.RESCHEDULE
                starts = bot.local(days=9, at="10:00") if what == "moved" else None
                request = Request(action, 1, appointment, starts_at=starts)
                result = await bot.db(
                    perform, request, plan=bot.services.plan, actor="test", now=bot.clock.now()
                )
                assert result.ok
            before = await bot.db(_dump)
            data = next(d for _, d in button_pairs(message) if d.endswith(":another_time"))
            await bot.press(SARA, data, message_id=message_id(message))
            await bot.expect(text_to(SARA, opening("en", f"reschedule.{what}")))
            assert not [c for c in api.calls() if text_to(SARA, opening("en", "reschedule.ask"))(c)]
            assert await bot.db(_dump) == before
