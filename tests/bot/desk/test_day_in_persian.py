"""A whole day at the desk in Persian, through the real application, without an English word;
an English colleague alerted in the same run in English; and the Telegram app's language
deciding for a staff member who never chose one."""

from __future__ import annotations

import re
from pathlib import Path

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from tests.calls import callback_data, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Chat, driving
from tests.fakes.bot_api import ApiCall

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
ENGLISH_ADMIN = 1002
MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")
# The only Latin a Persian reader meets, each unavoidable: command names (/enrol: Telegram
# commands are Latin), the links the bot makes (t.me/…?start=…), "QR" as in "QR code", and the
# setting an admin edits to change admins (ADMIN_IDS in .env).
ALLOWED_LATIN = frozenset({"QR", "ADMIN_IDS", "env"})
COMMANDS_AND_LINKS = re.compile(r"/[a-z_]+|https?://\S+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


def plain(text: str) -> str:
    return MARKS.sub("", text)


def latin_words(call: ApiCall) -> list[str]:
    """Latin words in a reply's text or caption and its buttons, but the allowed ones."""
    labels = [label for row in _rows(call) for label in row]
    shown = COMMANDS_AND_LINKS.sub("", plain("\n".join([text_of(call), *labels])))
    return [w for w in LATIN_WORD.findall(shown) if w not in ALLOWED_LATIN]


def _rows(call: ApiCall) -> list[list[str]]:
    markup = call.params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [[str(b["text"]) for b in row] for row in markup.get("inline_keyboard", [])]


def fa(key: str) -> str:
    return CATALOG.text("fa", key)


async def enrol_guided(staff: Chat) -> list[ApiCall]:
    """A guided /enrol, all in Persian: tomorrow at the first hour offered, one session."""
    (ask_name,) = await staff.send("/enrol")
    (ask_day,) = await staff.send("سارا احمدی")
    _, (chosen_day, ask_time) = await staff.press(
        callback_data(ask_day)[1], under=ask_day, expect=2
    )
    _, (chosen_time, ask_area) = await staff.press(
        callback_data(ask_time)[0], under=ask_time, expect=2
    )
    _, (chosen_area, ask_count) = await staff.press(fa("enrol.area_face"), under=ask_area, expect=2)
    _, (chosen_count, ask_phone) = await staff.press("۱", under=ask_count, expect=2)
    _, (skipped, ask_language) = await staff.press(fa("enrol.skip"), under=ask_phone, expect=2)
    _, (chosen_language, summary) = await staff.press("فارسی", under=ask_language, expect=2)
    assert "سارا احمدی" in plain(text_of(summary))
    _, (confirmed, enrolled, qr) = await staff.press(fa("enrol.confirm"), under=summary, expect=3)
    assert "سارا احمدی ثبت شد: نوبت شمارهٔ ۱" in plain(text_of(enrolled))
    asked = [ask_name, ask_day, chosen_day, ask_time, chosen_time, ask_area, chosen_area]
    asked += [ask_count, chosen_count, ask_phone, skipped, ask_language, chosen_language]
    return [*asked, summary, confirmed, enrolled, qr]


async def test_a_whole_day_at_the_desk_in_persian_without_an_english_word(
    tmp_path: Path, clock: FakeClock
) -> None:
    env = {
        "ADMIN_IDS": f"{ADMIN_ID},{ENGLISH_ADMIN}",
        "DEFAULT_LANGUAGE": "fa",  # so STAFF_LANGUAGE too: the English admin chooses English
        "CLINIC_NAME": "کلینیک آزمون",
    }
    async with driving(tmp_path, clock, env=env) as desk:
        maryam = desk.chat(ADMIN_ID, first_name="مریم", language_code="fa")
        english = desk.chat(ENGLISH_ADMIN, first_name="Anna", language_code="en")
        (offer,) = await english.send("/language")
        _, (switched,) = await english.press("English", under=offer)
        assert text_of(switched) == "Done: I will write to you in English."

        replies: list[ApiCall] = []
        replies += await maryam.send("/start")
        assert "شما مدیر ربات مراقبت" in plain(text_of(replies[-1]))
        replies += await enrol_guided(maryam)
        replies += await maryam.send("/today")
        replies += await maryam.send("/upcoming")
        assert "سارا احمدی" in plain(text_of(replies[-1]))

        # An alert in the same run: the invite is not opened and the session is tomorrow.
        # Without STAFF_CHAT_ID each admin gets it privately, each in their own language.
        clock.advance(hours=3)
        before = len(maryam.replies()), len(english.replies())
        await desk.tick()
        (alert_fa,) = maryam.replies()[before[0] :]
        (alert_en,) = english.replies()[before[1] :]
        assert fa("alerts.invite_not_opened") in plain(text_of(alert_fa))
        assert "has not opened their invite link yet" in text_of(alert_en)
        replies.append(alert_fa)

        (card,) = await maryam.send("/patient 1")
        replies.append(card)
        _, (menu,) = await maryam.press("ap:1:1", under=card)
        _, (asked,) = await maryam.press(fa("card.reschedule"), under=menu)
        (question,) = await maryam.send("۲۴ آذر ۱۰:۰۰")
        _, (moved,) = await maryam.press(fa("card.confirm"), under=question)
        assert "✅ نوبت شمارهٔ ۱ به" in plain(text_of(moved))
        replies += [menu, asked, question, moved]

        replies += await maryam.send("/schedule 1")
        schedule = plain(text_of(replies[-1]))
        assert fa("card.step_pre_care") in schedule and fa("card.reason_rescheduled") in schedule
        replies += await maryam.send("/done")  # which appointment? in Persian
        replies += await maryam.send("/done 1")
        assert plain(text_of(replies[-1])).startswith("✅ نوبت شمارهٔ ۱")

        replies += await maryam.send("/staff")
        assert plain(text_of(replies[-1])).startswith("مدیران")
        replies += await maryam.send("/forget 99")
        (ask_forget,) = await maryam.send("/forget 1")
        _, (kept,) = await maryam.press(fa("privacy.keep_button"), under=ask_forget)
        assert plain(text_of(kept)) == plain(CATALOG.text("fa", "privacy.kept", patient_id="۱"))
        replies += [ask_forget, kept]

        assert len(replies) >= 30
        assert {i: latin_words(r) for i, r in enumerate(replies) if latin_words(r)} == {}


async def test_the_telegram_app_language_decides_until_a_staff_member_chooses(
    tmp_path: Path, clock: FakeClock
) -> None:
    env = {"ADMIN_IDS": "1001,1002,1003", "DEFAULT_LANGUAGE": "en"}
    async with driving(tmp_path, clock, env=env) as desk:
        persian = desk.chat(1001, language_code="fa")
        english = desk.chat(1002, language_code="en-GB")
        german = desk.chat(1003, language_code="de")
        (today_fa,) = await persian.send("/today")
        (today_en,) = await english.send("/today")
        (today_de,) = await german.send("/today")
        assert plain(text_of(today_fa)).startswith("امروز، یکشنبه ۱۵ آذر ۱۴۰۵")
        assert text_of(today_en).startswith("Today, Sun 6 Dec 2026")
        assert text_of(today_de).startswith("Today, Sun 6 Dec 2026")  # DEFAULT_LANGUAGE

        # A button pressed from a Persian app answers in Persian; /language then wins.
        (offer,) = await persian.send("/language")
        assert plain(text_of(offer)) == plain(fa("staff.language_prompt"))
        _, (done,) = await persian.press("English", under=offer)
        assert text_of(done) == "Done: I will write to you in English."
        (today_after,) = await persian.send("/today")
        assert text_of(today_after).startswith("Today, Sun 6 Dec 2026")
