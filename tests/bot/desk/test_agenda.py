"""/today and /upcoming through the real application: the lines, the icons and the paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from care.people.enrolment import Booking, enrol
from care.people.invites import redeem_invite
from tests.calls import buttons, message_id, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Driver, driving

STRANGER = 3003
PATIENT = 2002


async def _book(desk: Driver, clock: FakeClock, name: str, at: datetime, **extra: object) -> str:
    booking = Booking(full_name=name, starts_at=at, language="en", **extra)  # type: ignore[arg-type]
    services = desk.services
    enrolment = await services.db.run(
        enrol, booking, plan=services.plan, actor="telegram:1", invite_days=14, now=clock.now()
    )
    return enrolment.token


async def test_today_lists_each_appointment_with_its_status(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        # 10:30 in Tehran now; 12:00 and 13:30 today, and one tomorrow.
        token = await _book(
            desk,
            clock,
            "Sara Ahmadi",
            datetime(2026, 12, 6, 8, 30, tzinfo=UTC),
            area="face",
            session_count=4,
        )
        await _book(desk, clock, "Reza Karimi", datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
        await _book(desk, clock, "Tomorrow Person", datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
        await desk.services.db.run(redeem_invite, token, chat_id=PATIENT, now=clock.now())
        await desk.services.db.run(
            lambda conn: conn.execute(
                "UPDATE care_messages SET state = 'sent', answer = 'blood_thinner'"
                " WHERE appointment_id = 5 AND step = 'pre_care'"
            )
        )

        (listing,) = await desk.chat(ADMIN_ID).send("/today")
    text = text_of(listing)
    assert "Today, Sun 6 Dec 2026 · 15 Azar 1405\n2 booked\n" in text
    assert "#1 12:00 Sara Ahmadi · Face · session 1 of 4 📱⏳" in text
    assert "#5 13:30 Reza Karimi · area not given · session 1 of 1 📵📨 ⚠️ blood thinner" in text
    assert "Tomorrow Person" not in text
    assert "reply_markup" not in listing.params  # one page: no buttons


async def test_upcoming_pages_with_buttons_that_edit_the_list_in_place(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        first = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 09:00 tomorrow in Tehran
        for n in range(23):
            await _book(desk, clock, f"Patient {n:02d}", first + timedelta(hours=6 * n))
        await _book(desk, clock, "Too Late", first + timedelta(days=9))
        staff = desk.chat(ADMIN_ID)
        (listing,) = await staff.send("/upcoming")
        assert "23 booked" in text_of(listing)
        assert "Page 1 of 3" in text_of(listing)
        assert "— Mon 7 Dec 2026 · 16 Azar 1405 —" in text_of(listing)
        assert set(buttons(listing)) == {"▶"}

        _, (page2,) = await staff.press("▶", under=listing)
        assert page2.method == "editMessageText"
        assert message_id(page2) == message_id(listing)
        assert "Page 2 of 3" in text_of(page2)
        assert "Patient 10" in text_of(page2) and "Patient 09" not in text_of(page2)
        assert set(buttons(page2)) == {"◀", "▶"}

        _, (page3,) = await staff.press("▶", under=page2)
        assert "Patient 22" in text_of(page3)
        assert "Too Late" not in text_of(page3)
        assert set(buttons(page3)) == {"◀"}
        _, (back,) = await staff.press("◀", under=page3)
        assert text_of(back) == text_of(page2)

        (longer,) = await staff.send("/upcoming 10")
        assert "24 booked" in text_of(longer)
        assert buttons(longer)["▶"] == "agenda:u:10:1"


async def test_odd_days_and_forged_page_buttons_get_a_clear_answer(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        for odd in ("61", "0", "a week", "7 8", "-3"):
            (reply,) = await staff.send(f"/upcoming {odd}")
            assert "a number of days from 1 to 60" in text_of(reply), odd
        (listing,) = await staff.send("/upcoming ۳")
        assert "No booked appointments" in text_of(listing)
        for forged in ("agenda:u:99:0", "agenda:t:5:0", "agenda:x:1:1", "agenda:u:7:1;DROP"):
            answer, outputs = await staff.press(forged, under=listing, expect=0)
            assert "not valid" in str(answer.params["text"])
            assert outputs == []
