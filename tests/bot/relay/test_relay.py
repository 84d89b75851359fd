"""Patients talk to the clinic, through the real application: a patient's words reach the
staff group, staff answer by a Telegram reply or the Reply button, and the patient receives the
answer in the clinic's name; strangers and non-staff change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from care.db import staff
from tests.calls import button_data, buttons, edit_of, message_id, sent_to, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Driver, driving
from tests.fakes.bot_api import ApiCall, FakeBotApi

GROUP = -100500
PATIENT = 2002
STRANGER = 3003
OUTSIDER = 4004  # in the group, not staff
RECEPTION = 5005  # staff, added by the admin


@pytest.fixture
async def clinic(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Driver]:
    async with driving(tmp_path, clock, api=api, env={"STAFF_CHAT_ID": str(GROUP)}) as running:
        yield running


async def linked_patient(desk: Driver) -> int:
    sara = await desk.enrol("Sara Ahmadi")
    await desk.link(sara, PATIENT)
    return sara.patient_id


def to_group(needle: str) -> Callable[[ApiCall], bool]:
    return sent_to(GROUP, needle)


async def group_reply(desk: Driver, user: int, text: str, to: int) -> None:
    desk.api.send_text(user, text, chat_id=GROUP, chat_type="supergroup", reply_to=to)


def relayed_posts(api: FakeBotApi) -> list[ApiCall]:
    return [call for call in api.messages_to(GROUP) if "💬" in text_of(call)]


async def test_a_patient_writes_and_staff_answer_by_reply_and_by_button(clinic: Driver) -> None:
    patient_id = await linked_patient(clinic)
    clinic.api.send_text(PATIENT, "I have a small bruise, is that normal?")
    (post,) = await clinic.expect(sent_to(GROUP, "I have a small bruise"))
    text = text_of(post)
    assert f"Sara Ahmadi (patient #{patient_id})" in text
    assert "Next session: #" in text
    assert buttons(post)["Open patient card"] == f"card:{patient_id}"
    (receipt,) = await clinic.expect(sent_to(PATIENT, "Your message has reached Test Clinic"))
    assert "during working hours" in text_of(receipt)

    # Staff answer with a Telegram reply to the relayed message.
    await group_reply(clinic, ADMIN_ID, "Yes, it fades in 2-4 days.", message_id(post))
    (answer,) = await clinic.expect(sent_to(PATIENT, "Yes, it fades in 2-4 days."))
    assert text_of(answer).startswith("💬 Test Clinic:\n")
    (edited,) = await clinic.expect(edit_of("editMessageReplyMarkup", GROUP, message_id(post)))
    assert any("Answered by Test" in label for label in buttons(edited))
    await clinic.expect(to_group("Sent to Sara Ahmadi"))

    # Again, by the Reply button: the bot asks for the answer as a reply to its prompt.
    clinic.api.send_text(PATIENT, "And can I wash my face tonight?")
    (second,) = await clinic.expect(sent_to(GROUP, "wash my face"))
    clinic.api.press_button(
        ADMIN_ID, button_data(second, "Reply"), message_id=message_id(second), chat_id=GROUP
    )
    (prompt,) = await clinic.expect(to_group("Your answer to Sara Ahmadi"))
    assert prompt.params["reply_markup"]["force_reply"] is True
    await group_reply(clinic, ADMIN_ID, "Not before tomorrow evening.", message_id(prompt))
    await clinic.expect(sent_to(PATIENT, "Not before tomorrow evening."))
    await clinic.expect(to_group("Sent to Sara Ahmadi"), count=2)

    rows = await clinic.db(
        lambda conn: [
            tuple(r)
            for r in conn.execute(
                "SELECT direction, kind, body, staff_user_id, answered_at IS NOT NULL"
                " FROM relayed ORDER BY id"
            )
        ]
    )
    assert rows == [
        ("in", "text", None, None, 1),  # the patient's words are not stored
        ("out", "text", "Yes, it fades in 2-4 days.", ADMIN_ID, 0),
        ("in", "text", None, None, 1),
        ("out", "text", "Not before tomorrow evening.", ADMIN_ID, 0),
    ]
    # One receipt for two messages ten minutes apart at most.
    receipts = [c for c in clinic.api.messages_to(PATIENT) if "has reached" in text_of(c)]
    assert len(receipts) == 1


async def test_a_strangers_text_is_not_forwarded(clinic: Driver) -> None:
    await linked_patient(clinic)
    clinic.api.send_text(STRANGER, "hello, can you tell me the price?")
    await clinic.expect(sent_to(STRANGER, "invite link"))
    clinic.api.send_media(STRANGER, "photo")
    await clinic.expect(sent_to(STRANGER, "invite link"), count=2)
    await clinic.settle()
    assert clinic.api.messages_to(GROUP) == []
    assert clinic.api.calls("copyMessage") == []
    count = await clinic.db(lambda conn: conn.execute("SELECT count(*) FROM relayed").fetchone())
    assert count[0] == 0


async def test_only_staff_can_answer_and_other_replies_change_nothing(clinic: Driver) -> None:
    await linked_patient(clinic)
    clinic.api.send_text(PATIENT, "Is it normal to itch?")
    (post,) = await clinic.expect(to_group("Is it normal to itch?"))
    await clinic.expect(sent_to(PATIENT, "has reached"))
    await clinic.settle()
    before = clinic.dump()
    await group_reply(clinic, OUTSIDER, "sure, whatever", message_id(post))
    await clinic.expect(to_group("Only the clinic's staff can answer patients"))
    # A staff member replying to some other message in the group: nothing happens.
    await group_reply(clinic, ADMIN_ID, "lunch at one?", 99)
    # The Reply button is refused to someone who is not staff.
    clinic.api.press_button(
        OUTSIDER, button_data(post, "Reply"), message_id=message_id(post), chat_id=GROUP
    )
    await clinic.expect(lambda call: call.method == "answerCallbackQuery")
    await clinic.settle()
    assert not [c for c in clinic.api.messages_to(PATIENT) if "whatever" in text_of(c)]
    assert not [c for c in clinic.api.messages_to(PATIENT) if "lunch" in text_of(c)]
    assert clinic.dump() == before
    assert not [c for c in clinic.api.messages_to(GROUP) if "Your answer to" in text_of(c)]


async def test_a_staff_member_added_by_the_admin_can_answer(clinic: Driver) -> None:
    await linked_patient(clinic)
    await clinic.db(
        staff.add, user_id=RECEPTION, display_name="Mina", added_by="telegram:1001", now=0
    )
    clinic.api.send_text(PATIENT, "Thank you!")
    (post,) = await clinic.expect(to_group("Thank you!"))
    await group_reply(clinic, RECEPTION, "You're welcome.", message_id(post))
    await clinic.expect(sent_to(PATIENT, "You're welcome."))


async def test_a_flood_becomes_one_notice_with_a_count(clinic: Driver) -> None:
    await linked_patient(clinic)
    for n in range(11):
        clinic.api.send_text(PATIENT, f"message number {n}")
    (notice,) = await clinic.expect(to_group("many messages"))
    assert "1 more not shown" in text_of(notice)
    edits = await clinic.expect(edit_of("editMessageText", GROUP, message_id(notice)), count=2)
    assert "3 more not shown" in text_of(edits[-1])
    await clinic.settle()
    assert len(relayed_posts(clinic.api)) == 8
    assert not [c for c in relayed_posts(clinic.api) if "number 8" in text_of(c)]
    (flood,) = [c for c in clinic.api.messages_to(PATIENT) if "many messages" in text_of(c)]
    assert "call" in text_of(flood)


async def test_a_photo_and_a_voice_note_reach_staff_by_file_id(clinic: Driver) -> None:
    patient_id = await linked_patient(clinic)
    await clinic.chat(PATIENT).send_media("photo", caption="this is the area", expect=0)
    (header,) = await clinic.expect(to_group("sent a photo"))
    assert f"patient #{patient_id}" in text_of(header)
    (copy,) = await clinic.expect(lambda call: call.method == "copyMessage")
    assert copy.params["chat_id"] == GROUP and copy.params["from_chat_id"] == PATIENT
    assert copy.params["reply_parameters"]["message_id"] == message_id(header)
    await clinic.chat(PATIENT).send_media("voice", expect=0)
    await clinic.expect(to_group("sent a voice message"))
    await clinic.expect(lambda call: call.method == "copyMessage", count=2)
    # A Telegram reply to the copied photo itself also answers the patient.
    copied_id = int(copy.result["message_id"])
    await group_reply(clinic, ADMIN_ID, "Looks fine.", copied_id)
    await clinic.expect(sent_to(PATIENT, "Looks fine."))
