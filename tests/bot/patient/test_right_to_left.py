"""What a Persian patient's Telegram app shows, from the real application's own messages: the
clinic's phone in Persian digits with spaces, a Latin name and the commands stay in order."""

from __future__ import annotations

from pathlib import Path

from bidi import get_base_level, get_display

from tests.bot.patient_harness import live_bot, opening
from tests.calls import text_to
from tests.fakes.bot_api import FakeBotApi

SARA = 2001
PHONE = "۰۲۱ ۸۸۷۷ ۶۶۵۵"
CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u2066\u2067\u2068\u2069"))


def on_screen(line: str) -> str:
    return str(get_display(line)).translate(CONTROLS)


async def test_a_persian_patient_reads_the_phone_and_commands_in_order(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        async with live_bot(api, tmp_path, CLINIC_PHONE=PHONE) as bot:
            await bot.patient(SARA, "Sara Ahmadi", bot.local(days=10, at="14:30"), "fa")
            await bot.send(SARA, "/help")
            (reply,) = await bot.expect(text_to(SARA, opening("fa", "patient.help")))
            lines = str(reply.params["text"]).split("\n")
            shown = [on_screen(line) for line in lines]
            assert any(PHONE in line for line in shown)  # unseparated, not "۶۶۵۵ ۸۸۷۷ ۰۲۱"
            for command in ("/appointments", "/care", "/faq", "/help"):
                assert any(command in line for line in shown), command
            assert all(get_base_level(line) == 1 for line in lines if line.strip())

            await bot.advance_to(bot.local(days=9, at="12:30"))  # pre-care: "{name} عزیز"
            (pre_care,) = await bot.expect(text_to(SARA, opening("fa", "steps.pre_care")))
            greeting = str(pre_care.params["text"]).split("\n")[0]
            assert get_base_level(greeting) == 1 and "Sara Ahmadi" in on_screen(greeting)
