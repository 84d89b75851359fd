"""Working days through the real application: the enrolment's date buttons and warnings, and
the honest reply to a tap that needs a person while the clinic is closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from care.core.dates import format_date, format_time
from tests.bot.patient_harness import (
    CATALOG,
    TEHRAN,
    LiveBot,
    ask_another_time,
    live_bot,
    opening,
)
from tests.calls import button_pairs, buttons, message_id, text_of, text_to
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, CLINIC_PHONE, driving
from tests.fakes.bot_api import FakeBotApi

SARA = 2001


def _tehran(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TEHRAN).astimezone(UTC)


async def test_guided_enrol_offers_no_closed_day_and_warns_for_a_typed_holiday(
    tmp_path: Path,
) -> None:
    # Wednesday 26 Esfand 1405, 10:00: Friday, 29 Esfand and Nowruz (1-4 Farvardin) follow.
    clock = FakeClock(_tehran(date(2027, 3, 17), 10))
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        await staff.send("/enrol")
        (ask_day,) = await staff.send("Sara Ahmadi")
        offered = [date.fromisoformat(data.rsplit(":", 1)[1]) for data in buttons(ask_day).values()]
        assert offered == [
            date(2027, 3, 17),
            date(2027, 3, 18),
            date(2027, 3, 25),  # 5 Farvardin: the first working day after Nowruz
            date(2027, 3, 27),  # Friday 26th skipped
            date(2027, 3, 28),
            date(2027, 3, 29),
            date(2027, 3, 30),
        ]
        assert "Sun 21 Mar · 1 Farvardin" not in buttons(ask_day)

        (ask_time,) = await staff.send("۱۴۰۶-۰۱-۰۱")  # typed anyway: warned, not refused
        text = text_of(ask_time)
        assert "⚠️ The clinic is closed on Sun 21 Mar 2027 · 1 Farvardin 1406 (Nowruz)" in text
        assert "Time on Sun 21 Mar 2027" in text  # the next question, the date kept
        (ask_area,) = await staff.send("10:00")
        assert "Treatment area?" in text_of(ask_area)

        await staff.send("/cancel")
        await staff.send("/enrol")
        await staff.send("Reza Karimi")
        (ask_time,) = await staff.send("1406-01-07")  # Saturday 27 March: open
        assert "closed" not in text_of(ask_time)


async def test_one_line_enrol_warns_for_a_closed_day_and_enrols_anyway(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        warning, enrolled, _qr = await staff.send("/enrol Sara Ahmadi 2026-12-11 10:00", expect=3)
        assert "⚠️ The clinic is closed on Fri 11 Dec 2026 · 20 Azar 1405 (Friday)" in text_of(
            warning
        )
        assert "Enrolled anyway" in text_of(warning)
        assert "Enrolled Sara Ahmadi" in text_of(enrolled)
        before = len(staff.replies())
        enrolled, _qr = await staff.send("/enrol Reza Karimi 2026-12-12 10:00", expect=2)
        assert "Enrolled Reza Karimi" in text_of(enrolled)
        assert len(staff.replies()) == before + 2  # no warning for a Saturday


def _first_day(bot: LiveBot, fits: Callable[[date], bool], *, after: int = 3) -> int:
    """The first day of the test, from day `after`, that fits."""
    return next(n for n in range(after, after + 60) if fits((bot.day0 + timedelta(days=n)).date()))


async def _tap(
    bot: LiveBot, lang: str, *, book_on: int, tap_at: datetime, answer: str, at: str = "14:00"
) -> str:
    """Sara, booked at `at` on day `book_on`, gets her pre-care (26 h before) and taps `answer`
    under it at `tap_at` (for another time, then ticks a day and a part of it and sends);
    the text of the reply."""
    starts = bot.local(days=book_on, at=at)
    await bot.patient(SARA, "Sara Ahmadi", starts, lang)
    await bot.advance_to(starts - timedelta(hours=26))
    (pre_care,) = await bot.expect(text_to(SARA, opening(lang, "steps.pre_care")))
    await bot.advance_to(tap_at)
    if answer == "another_time":  # the reply closes the picker, under what was sent
        sent = text_of(await ask_another_time(bot, SARA, pre_care, lang))
        return sent.split("\n\n", 1)[1]
    data = next(d for _, d in button_pairs(pre_care) if d.endswith(f":{answer}"))
    before = len(bot.api.messages_to(SARA))
    await bot.press(SARA, data, message_id=message_id(pre_care))
    await bot.expect(lambda call: len(bot.api.messages_to(SARA)) > before)
    return text_of(bot.api.messages_to(SARA)[-1])


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_a_tap_on_a_friday_says_when_the_clinic_will_see_it(
    tmp_path: Path, lang: str
) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            working = bot.services.settings.working_time
            friday = _first_day(
                bot, lambda d: d.weekday() == 4 and working.is_working_day(d + timedelta(1))
            )
            saturday = (bot.day0 + timedelta(days=friday + 1)).date()
            reply = await _tap(
                bot,
                lang,
                book_on=friday + 1,
                tap_at=bot.local(days=friday, at="12:30"),
                answer="blood_thinner",
            )
    expected = CATALOG.text(
        lang,
        "closed.blood_thinner",
        opening_day=format_date(saturday, lang),
        opening_time=format_time(time(9, 0), lang),
    )
    assert reply == expected
    if lang == "en":
        assert f"they will see this on {saturday:%a} {saturday.day} " in reply
        assert "from 09:00" in reply
        assert "Keep taking it as prescribed" in reply
    else:  # Solar Hijri, Persian digits, the weekday in Persian
        assert "شنبه" in reply and "۰۹:۰۰" in reply
        assert not any(ch.isascii() and ch.isdigit() for ch in reply)


async def test_a_tap_at_23_00_is_seen_the_next_morning(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            working = bot.services.settings.working_time
            day = _first_day(
                bot,
                lambda d: working.is_working_day(d) and working.is_working_day(d + timedelta(1)),
            )
            morning = (bot.day0 + timedelta(days=day + 1)).date()
            reply = await _tap(
                bot,
                "en",
                book_on=day + 1,
                tap_at=bot.local(days=day, at="23:00"),
                answer="another_time",
            )
    assert reply == CATALOG.text(
        "en",
        "closed.another_time",
        opening_day=format_date(morning, "en"),
        opening_time="09:00",
        clinic_phone=CLINIC_PHONE,
    )


async def test_a_tap_on_a_sunday_at_10_gets_the_open_clinic_reply(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path) as bot:
            working = bot.services.settings.working_time
            sunday = _first_day(bot, lambda d: d.weekday() == 6 and working.is_working_day(d))
            reply = await _tap(
                bot,
                "en",
                book_on=sunday + 1,
                tap_at=bot.local(days=sunday, at="10:00"),
                answer="another_time",
                at="11:00",  # pre-care on Sunday at 09:00
            )
    assert reply == CATALOG.text("en", "replies.another_time", clinic_phone=CLINIC_PHONE)


async def test_something_wrong_while_closed_gives_the_emergency_number(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, EMERGENCY_PHONE="115") as bot:
            working = bot.services.settings.working_time
            day = _first_day(bot, lambda d: d.weekday() == 3 and working.is_working_day(d), after=5)
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=day - 3, at="10:00"), "en")
            # check-in: three days after the end, Thursday 11:00; tapped at 20:00, after hours
            await bot.advance_to(bot.local(days=day, at="11:00"))
            (check_in,) = await bot.expect(text_to(SARA, opening("en", "steps.check_in")))
            await bot.advance_to(bot.local(days=day, at="20:00"))
            data = next(d for _, d in button_pairs(check_in) if d.endswith(":something_wrong"))
            await bot.press(SARA, data, message_id=message_id(check_in))
            (reply,) = await bot.expect(text_to(SARA, "call the emergency number 115 now"))
    assert "The clinic is closed now; they will only see this on" in text_of(reply)
