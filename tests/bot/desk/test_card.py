"""/patient and the card, driven through the real application and the Bot API stand-in."""

from __future__ import annotations

import time

from tests.calls import bot_message_id, callback_data, sent_to
from tests.driver import STAFF_ID, Driver

PATIENT = 2002


async def test_card_by_number_shows_the_patient_every_session_and_message(desk: Driver) -> None:
    sara = await desk.enrol("Sara Ahmadi", phone="+98 912 123 4567", sessions=2)
    await desk.link(sara, PATIENT)
    await desk.db(
        lambda conn: conn.execute("UPDATE care_messages SET answer = 'blood_thinner' WHERE id = 1")
    )
    for query in (str(sara.patient_id), f"#{sara.patient_id}"):
        started = time.monotonic()
        desk.api.send_text(STAFF_ID, f"/patient {query}")
        (card,) = await desk.expect(sent_to(STAFF_ID, "Sara Ahmadi", after=started))
    text = str(card.params["text"])
    assert f"(patient #{sara.patient_id})" in text
    assert "Phone: +98 912 123 4567" in text
    assert "Language: English" in text
    assert "Telegram: linked" in text
    first, second = sara.appointment_ids
    assert f"#{first} · 2026-12-10 10:30 · session 1 of 2 · Face · booked" in text
    assert f"#{second} · 2026-12-24 10:30 · session 2 of 2 · Face · booked" in text
    assert (
        "• Pre-session reminder 2026-12-09 08:30 — pending · answered: I take a prescribed blood"
        in text
    )
    assert "• Maintenance follow-up 2027-06-24 10:00 — pending" in text
    assert callback_data(card)[:2] == [f"ap:1:{first}", f"ap:1:{second}"]


async def test_card_by_part_of_a_persian_name_typed_with_arabic_letters(desk: Driver) -> None:
    await desk.enrol("Sara Ahmadi")
    ali = await desk.enrol("علی کریمی", language="fa")
    desk.api.send_text(STAFF_ID, "/patient علي كريم")
    (card,) = await desk.expect(sent_to(STAFF_ID, "علی کریمی"))
    text = str(card.params["text"])
    assert f"(patient #{ali.patient_id})" in text
    assert "Language: Persian" in text
    assert "invite not opened yet (valid until 2026-12-20 10:30)" in text


async def test_card_by_the_end_of_the_phone_number(desk: Driver) -> None:
    await desk.enrol("Sara Ahmadi", phone="+98 912 123 4567")
    nima = await desk.enrol("Nima Rad", phone="0935 765 4321")
    desk.api.send_text(STAFF_ID, "/patient ۴۳۲۱")  # Persian digits
    (card,) = await desk.expect(sent_to(STAFF_ID, "Nima Rad"))
    assert f"(patient #{nima.patient_id})" in str(card.params["text"])


async def test_several_matches_offer_a_choice_and_the_choice_opens_the_card(
    desk: Driver,
) -> None:
    for name in ("Sara Ahmadi", "Sarah Karimi", "Nima Rad"):
        await desk.enrol(name)
    desk.api.send_text(STAFF_ID, "/patient SAR")
    (choice,) = await desk.expect(sent_to(STAFF_ID, "2 patients match"))
    assert callback_data(choice) == ["card:2", "card:1"]
    message_id = bot_message_id(desk.api, STAFF_ID, "2 patients match")
    desk.api.press_button(STAFF_ID, "card:1", message_id=message_id)
    (card,) = await desk.expect(sent_to(STAFF_ID, "Sara Ahmadi (patient #1)"))
    assert "Nima" not in str(card.params["text"])


async def test_a_long_list_of_matches_is_capped_and_says_how_many_more(desk: Driver) -> None:
    for number in range(11):
        await desk.enrol(f"Reza Test{'abcdefghijk'[number]}")
    desk.api.send_text(STAFF_ID, "/patient reza")
    (choice,) = await desk.expect(sent_to(STAFF_ID, "11 patients match"))
    assert len(callback_data(choice)) == 8
    assert "3 more not shown" in str(choice.params["text"])


async def test_no_match_and_no_query_get_a_clear_answer(desk: Driver) -> None:
    await desk.enrol("Sara Ahmadi")
    desk.api.send_text(STAFF_ID, "/patient Zahra")
    await desk.expect(sent_to(STAFF_ID, "No patient matches “Zahra”"))
    desk.api.send_text(STAFF_ID, "/patient #44")
    await desk.expect(sent_to(STAFF_ID, "No patient matches “#44”"))
    desk.api.send_text(STAFF_ID, "/patient")
    await desk.expect(sent_to(STAFF_ID, "Which patient?"))
