"""The relay on Bale, through the real application with a Telegram and a Bale stand-in: a
patient linked on Bale writes, Bale's staff group receives it (Telegram's staff nothing), and
a Bale staff member's reply, by a reply to the post or by the Reply button, reaches the
patient in their Bale chat."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jobs.channels.bale import BALE
from tests.calls import button_data, buttons, edit_of, message_id, sent_to, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Driver, driving
from tests.fakes.bot_api import FakeBotApi

TELEGRAM_GROUP = -100500
BALE_GROUP = -4242  # Bale has no supergroups: a plain group
BALE_ADMIN = 6_000_000_002
BALE_PATIENT = 5_000_000_001
BALE_TOKEN = "654321:BALE-token-for-the-stand-in"


@pytest.fixture
async def clinic(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Driver]:
    env = {
        "STAFF_CHAT_ID": str(TELEGRAM_GROUP),
        "BALE_BOT_TOKEN": BALE_TOKEN,
        "BALE_API_BASE_URL": "http://127.0.0.1:9",  # never dialled: the driver answers
        "BALE_ADMIN_IDS": str(BALE_ADMIN),
        "BALE_STAFF_CHAT_ID": str(BALE_GROUP),
    }
    bale = FakeBotApi(flavour="bale", bot_username="mesocare_bale_bot", bot_id=888000)
    async with driving(tmp_path, clock, api=api, bale_api=bale, env=env) as running:
        yield running


def _relayed(conn: sqlite3.Connection) -> list[tuple[str, str, str | None, int | None]]:
    rows = conn.execute("SELECT direction, kind, body, staff_user_id FROM relayed ORDER BY id")
    return [(str(d), str(k), b, u) for d, k, b, u in rows]


def _posts(conn: sqlite3.Connection) -> set[tuple[str, int]]:
    return {(str(c), int(i)) for c, i in conn.execute("SELECT channel, chat_id FROM relay_posts")}


async def _group_reply(desk: Driver, user: int, text: str, to: int) -> None:
    desk.apis[BALE].send_text(user, text, chat_id=BALE_GROUP, chat_type="group", reply_to=to)


async def test_a_patient_on_bale_writes_and_bale_staff_answer(clinic: Driver) -> None:
    sara = await clinic.enrol("Sara Ahmadi")
    patient = clinic.chat(BALE_PATIENT, channel=BALE)
    await patient.send(f"/start {sara.token}")
    bale = clinic.apis[BALE]

    await patient.send("I have a small bruise, is that normal?")
    (post,) = await clinic.expect(sent_to(BALE_GROUP, "I have a small bruise"), channel=BALE)
    assert f"Sara Ahmadi (patient #{sara.patient_id})" in text_of(post)
    assert buttons(post)["Open patient card"] == f"card:{sara.patient_id}"
    await clinic.expect(sent_to(BALE_PATIENT, "Your message has reached Test Clinic"), channel=BALE)
    assert clinic.api.messages_to(TELEGRAM_GROUP) == []  # the patient wrote from Bale
    assert clinic.api.messages_to(ADMIN_ID) == []

    # A Bale staff member answers with a reply to the relayed post.
    await _group_reply(clinic, BALE_ADMIN, "Yes, it fades in 2-4 days.", message_id(post))
    (answer,) = await clinic.expect(sent_to(BALE_PATIENT, "Yes, it fades"), channel=BALE)
    assert text_of(answer).startswith("💬 Test Clinic:\n")
    edited = edit_of("editMessageReplyMarkup", BALE_GROUP, message_id(post))
    (marked,) = await clinic.expect(edited, channel=BALE)
    assert any("Answered by" in label for label in buttons(marked))
    await clinic.expect(sent_to(BALE_GROUP, "Sent to Sara Ahmadi"), channel=BALE)

    # Again, by the Reply button: the answer is a reply to the bot's prompt.
    await patient.send("And can I wash my face tonight?", expect=0)  # one receipt is enough
    (second,) = await clinic.expect(sent_to(BALE_GROUP, "wash my face"), channel=BALE)
    reply = button_data(second, "Reply")
    bale.press_button(BALE_ADMIN, reply, message_id=message_id(second), chat_id=BALE_GROUP)
    (prompt,) = await clinic.expect(sent_to(BALE_GROUP, "Your answer to Sara Ahmadi"), channel=BALE)
    await _group_reply(clinic, BALE_ADMIN, "Not before tomorrow evening.", message_id(prompt))
    await clinic.expect(sent_to(BALE_PATIENT, "Not before tomorrow evening."), channel=BALE)

    assert await clinic.db(_relayed) == [
        ("in", "text", None, None),  # the patient's words are not stored
        ("out", "text", "Yes, it fades in 2-4 days.", BALE_ADMIN),
        ("in", "text", None, None),
        ("out", "text", "Not before tomorrow evening.", BALE_ADMIN),
    ]
    assert await clinic.db(_posts) == {(BALE, BALE_GROUP)}
    assert not [c for c in clinic.api.calls() if c.params.get("chat_id") == BALE_PATIENT]


async def test_someone_in_bales_group_who_is_not_staff_cannot_answer(clinic: Driver) -> None:
    sara = await clinic.enrol("Sara Ahmadi")
    patient = clinic.chat(BALE_PATIENT, channel=BALE)
    await patient.send(f"/start {sara.token}")
    await patient.send("Is it normal to itch?")
    (post,) = await clinic.expect(sent_to(BALE_GROUP, "Is it normal to itch?"), channel=BALE)
    await clinic.settle()
    before = clinic.dump()
    # ADMIN_ID is an admin on Telegram; on Bale the same number is somebody else.
    await _group_reply(clinic, ADMIN_ID, "sure, whatever", message_id(post))
    await clinic.expect(
        sent_to(BALE_GROUP, "Only the clinic's staff can answer patients"), channel=BALE
    )
    assert not [c for c in clinic.outputs(BALE_PATIENT, BALE) if "whatever" in text_of(c)]
    assert clinic.dump() == before
