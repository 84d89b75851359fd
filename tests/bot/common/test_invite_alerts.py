"""The "invite not opened 48 h before" alert, raised by the delivery tick of the real
application: it names the patient and the appointment, opens the card, and comes once."""

from __future__ import annotations

from datetime import timedelta

from tests.calls import bot_message_id, callback_data, sent_to
from tests.driver import STAFF_ID, Driver

NOT_OPENED = "has not opened their invite link yet"


async def test_raised_once_per_appointment_with_the_card_button(desk: Driver) -> None:
    sara = await desk.enrol("Sara Ahmadi", ahead=timedelta(days=5))
    nima = await desk.enrol("Nima Rad", ahead=timedelta(days=5))
    await desk.link(nima, 2002)
    await desk.tick()
    assert not desk.api.messages_to(STAFF_ID)  # 5 days ahead is not close yet

    desk.clock.advance(days=3, hours=1)
    for _ in range(3):
        await desk.tick()
        desk.clock.advance(minutes=10)

    (alert,) = desk.api.messages_to(STAFF_ID)
    text = str(alert.params["text"])
    assert NOT_OPENED in text
    assert f"Sara Ahmadi (patient #{sara.patient_id})" in text
    assert f"Appointment #{sara.appointment_ids[0]}, 2026-12-11 10:30" in text
    assert "Nima" not in text
    assert callback_data(alert) == [f"card:{sara.patient_id}"]
    stored = await desk.db(
        lambda conn: conn.execute("SELECT COUNT(*), MIN(delivered_at) FROM alerts").fetchone()
    )
    assert stored[0] == 1 and stored[1] is not None

    desk.api.press_button(
        STAFF_ID,
        f"card:{sara.patient_id}",
        message_id=bot_message_id(desk.api, STAFF_ID, NOT_OPENED),
    )
    (card,) = await desk.expect(sent_to(STAFF_ID, "Telegram: invite not opened yet"))
    assert f"(patient #{sara.patient_id})" in str(card.params["text"])
