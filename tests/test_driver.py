"""The in-process driver itself: no network, the sender on demand, buttons found by their text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, driving
from tests.factories import enrolled, linked_patient

PATIENT = 4242


async def test_a_reply_is_recorded_without_any_server(tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock) as bot:
        (reply,) = await bot.chat(ADMIN_ID).send("/today")
        assert "No booked appointments" in str(reply.params["text"])
        with pytest.raises(RuntimeError):
            _ = bot.api.port  # the stand-in never listened


async def test_a_change_at_the_desk_pokes_the_sender_which_runs_at_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as bot:
        enrolment = await bot.db(enrolled, bot.services.plan, clock.now())
        await bot.chat(PATIENT).send(f"/start {enrolment.token}")  # linking pokes the sender
        assert bot.wake.pokes >= 1 and not bot.wake.pending
        assert bot.deliveries >= 1


async def test_without_delivery_on_poke_the_test_decides_when_the_sender_runs(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock, deliver_on_poke=False) as bot:
        await bot.db(linked_patient, bot.services.plan, clock.now(), chat_id=PATIENT)
        await bot.chat(ADMIN_ID).send("/done 1")
        assert bot.wake.pending and bot.deliveries == 0
        assert bot.chat(PATIENT).replies() == []
        await bot.tick()
        assert not bot.wake.pending and bot.chat(PATIENT).replies()


async def test_the_fake_clock_moves_and_the_due_message_goes(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as bot:
        await bot.db(
            linked_patient,
            bot.services.plan,
            clock.now(),
            chat_id=PATIENT,
            starts_in=timedelta(days=2),
        )
        start = clock.now()
        assert not any("a reminder" in str(r.params["text"]) for r in bot.chat(PATIENT).replies())
        await bot.advance(timedelta(days=2) - timedelta(hours=3))  # the day-of message is due
        assert clock.now() == start + timedelta(hours=45)
        assert "a reminder" in str(bot.chat(PATIENT).last_reply.params["text"])


async def test_a_button_is_pressed_by_its_visible_text(tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock) as bot:
        await bot.db(linked_patient, bot.services.plan, clock.now(), chat_id=PATIENT)
        staff = bot.chat(ADMIN_ID)
        (card,) = await staff.send("/patient 1")
        pressed = await staff.press("⏸ Pause messages")
        assert pressed.answer is not None
        (question,) = pressed.outputs
        assert question.method == "editMessageText"
        assert question.params["message_id"] == card.result["message_id"]


async def test_pressing_a_button_nobody_showed_fails_the_test(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as bot:
        with pytest.raises(AssertionError, match="no button"):
            await bot.chat(ADMIN_ID).press("Nowhere")
