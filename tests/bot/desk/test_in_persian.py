"""The desk in each staff member's language, through the real application: a Persian admin
and an English one in the same run, /language switching the very next reply."""

from __future__ import annotations

import re
from pathlib import Path

from tests.calls import text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, driving

ENGLISH_ADMIN = 1002
MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")
LATIN_WORD = re.compile(r"\b(?!QR\b|CSV\b|https?\b|t\b|me\b|start\b)[A-Za-z]{3,}")


def plain(text: str) -> str:
    return MARKS.sub("", text)


def english_words(text: str) -> list[str]:
    """Latin words a Persian reader would meet, leaving out commands, links and names."""
    visible = re.sub(r"/\w+|https://\S+|Sara Ahmadi|Test Clinic|Test\b", "", plain(text))
    return LATIN_WORD.findall(visible)


async def test_a_persian_and_an_english_admin_each_read_the_desk_in_their_language(
    tmp_path: Path, clock: FakeClock
) -> None:
    env = {"ADMIN_IDS": f"{ADMIN_ID},{ENGLISH_ADMIN}", "DEFAULT_LANGUAGE": "en"}
    async with driving(tmp_path, clock, env=env) as desk:
        persian, english = desk.chat(ADMIN_ID, first_name="Maryam"), desk.chat(ENGLISH_ADMIN)

        # The admin's first minute: a welcome saying what to do, and the menu at once.
        (welcome,) = await english.send("/start")
        assert "You are the admin" in text_of(welcome) and "/enrol" in text_of(welcome)
        assert desk.api.calls("setMyCommands")

        # /language switches the very next reply.
        (offer,) = await persian.send("/language")
        _, (done,) = await persian.press("فارسی", under=offer)
        assert plain(text_of(done)) == "انجام شد: از این پس فارسی می‌نویسم."
        (welcome_fa,) = await persian.send("/start")
        assert "شما مدیر ربات مراقبت" in plain(text_of(welcome_fa))

        # Enrol with a Solar Hijri month by name; the answer in Persian, Solar Hijri first.
        enrolled, _qr = await persian.send("/enrol سارا احمدی ۲۲ آذر ۱۴:۳۰", expect=2)
        said = plain(text_of(enrolled))
        assert "سارا احمدی ثبت شد: نوبت شمارهٔ ۱" in said
        assert "یکشنبه ۲۲ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۱۳)، ساعت ۱۴:۳۰ به وقت کلینیک" in said
        assert english_words(said) == []

        (today,) = await persian.send("/today")
        assert plain(text_of(today)).startswith("امروز، یکشنبه ۱۵ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۰۶)")

        (card,) = await persian.send("/patient 1")
        shown = plain(text_of(card))
        assert "یادآوری پیش از جلسه" in shown and "در انتظار" in shown
        assert "pre_care" not in shown and english_words(shown) == []

        # Reschedule from the card, typing the new time the way the diary writes it.
        _, (menu,) = await persian.press("ap:1:1", under=card)
        _, (asked,) = await persian.press("🕑 تغییر وقت", under=menu)
        assert "تاریخ و ساعت جدید نوبت" in plain(text_of(asked))
        (question,) = await persian.send("۲۴ آذر ۱۰:۰۰")
        assert "به سه‌شنبه ۲۴ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۱۵)، ساعت ۱۰:۰۰ منتقل شود؟" in plain(
            text_of(question)
        )
        _, (moved,) = await persian.press("✔️ تأیید", under=question)
        assert "✅ نوبت شمارهٔ ۱ به" in plain(text_of(moved))

        # The English admin reads the same desk in English.
        (card_en,) = await english.send("/patient 1")
        assert "Pre-session reminder" in text_of(card_en) and "pending" in text_of(card_en)
        (bad,) = await english.send("/reschedule 1 1405-13-01 10:00")
        assert "has no month 13" in text_of(bad)
        (bad_fa,) = await persian.send("/reschedule 1 1405-13-01 10:00")
        assert "ماه ۱۳ ندارد" in plain(text_of(bad_fa))
