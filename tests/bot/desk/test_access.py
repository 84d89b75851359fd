"""Only staff reach the card and its actions, and no button can be forged: every refusal is
answered and leaves the database exactly as it was."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.clock import to_epoch
from care.db import staff
from tests.calls import bot_message_id, sent_to
from tests.driver import STAFF_ID, Driver
from tests.fakes.bot_api import ApiCall
from tests.problems import staff_text

ADMIN_REFUSAL = staff_text("en", "staff.admin_only")
INVALID_BUTTON = staff_text("en", "desk.invalid_button")

PATIENT = 2002
FORGED = "This button does not belong to that patient's record. Nothing was changed."
STRANGER = 3003
RECEPTION = 4004  # staff, not an admin
NOT_STAFF = load_catalog(DEFAULT_MESSAGES_DIR).text("en", "patient.staff_only")


def _answered(text: str, after: float) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return (
            call.method == "answerCallbackQuery"
            and call.at > after
            and call.params.get("text") == text
            and call.params.get("show_alert") is True
        )

    return matches


def _commands(appointment: int) -> list[str]:
    return [
        "/patient 1",
        "/patient Sara",
        f"/reschedule {appointment} 2026-12-20 10:00",
        f"/cancel_appt {appointment}",
        f"/noshow {appointment}",
        "/add_session 1 2026-12-20 10:00",
    ]


def _buttons(appointment: int, epoch: int) -> list[str]:
    return [
        "card:1",
        "cv:1",
        f"ap:1:{appointment}",
        f"ask:rs:1:{appointment}",
        f"ask:cx:1:{appointment}",
        "ask:add:1:0",
        f"ok:rs:1:{appointment}:{epoch}",
        f"ok:cx:1:{appointment}",
        f"ok:dn:1:{appointment}",
        f"ok:ns:1:{appointment}",
        f"ok:add:1:0:{epoch}",
        "ok:lang:1:0:fa",
        "ok:pause:1:0",
        "ok:resume:1:0",
    ]


@pytest.mark.parametrize("user", [PATIENT, STRANGER])
async def test_patients_and_strangers_are_refused_every_command_and_button(
    desk: Driver, user: int
) -> None:
    sara = await desk.enrol("Sara Ahmadi")
    await desk.link(sara, PATIENT)
    (appointment,) = sara.appointment_ids
    if user == STRANGER:
        desk.api.send_text(STRANGER, "/start")
        await desk.expect(sent_to(STRANGER, "invite link"))
    await desk.settle()
    before = desk.dump()

    commands = [*_commands(appointment), "/export"]
    started = time.monotonic()
    for command in commands:
        desk.api.send_text(user, command)
    refusals = await desk.expect(sent_to(user, "Sorry,", after=started), count=len(commands))
    texts = [str(call.params["text"]) for call in refusals]
    # Patients and strangers read the refusal from the message files (patient.staff_only).
    assert texts == [NOT_STAFF] * len(commands)

    buttons = _buttons(appointment, to_epoch(desk.clock.now()) + 86_400)
    message_id = bot_message_id(desk.api, user, "")
    started = time.monotonic()
    for data in buttons:
        desk.api.press_button(user, data, message_id=message_id)
    await desk.expect(_answered(NOT_STAFF, started), count=len(buttons))
    desk.api.send_text(user, "2026-12-20 10:00")  # no time was asked of them: the usual answer
    await desk.expect(sent_to(user, "clinic", after=started))
    await desk.settle()

    assert desk.dump() == before
    assert not [call for call in desk.api.calls("editMessageText")]
    leaked = [c for c in desk.api.messages_to(user) if "patient #" in str(c.params.get("text"))]
    assert leaked == []


async def test_staff_who_are_not_admins_use_the_card_but_not_the_export(desk: Driver) -> None:
    await desk.db(_add_staff, RECEPTION, to_epoch(desk.clock.now()))
    await desk.enrol("Sara Ahmadi")
    desk.api.send_text(RECEPTION, "/patient sara")
    await desk.expect(sent_to(RECEPTION, "Sara Ahmadi (patient #1)"))
    desk.api.send_text(RECEPTION, "/export")
    await desk.expect(sent_to(RECEPTION, ADMIN_REFUSAL))
    assert not desk.api.calls("sendDocument")


def _add_staff(conn: sqlite3.Connection, user_id: int, now: int) -> None:
    staff.add(conn, user_id=user_id, display_name="Reception", added_by="test", now=now)


async def test_a_forged_button_naming_another_patient_s_appointment_changes_nothing(
    desk: Driver,
) -> None:
    await desk.enrol("Sara Ahmadi")
    nima = await desk.enrol("Nima Rad")
    (other,) = nima.appointment_ids
    desk.api.send_text(STAFF_ID, "/patient 1")
    await desk.expect(sent_to(STAFF_ID, "Sara Ahmadi (patient #1)"))
    await desk.settle()
    before = desk.dump()
    card = bot_message_id(desk.api, STAFF_ID, "Sara Ahmadi")

    epoch = to_epoch(desk.clock.now()) + 86_400
    for data in (f"ok:cx:1:{other}", f"ok:rs:1:{other}:{epoch}", f"ask:dn:1:{other}"):
        started = time.monotonic()
        desk.api.press_button(STAFF_ID, data, message_id=card)
        await desk.expect(_answered(FORGED, started))
    started = time.monotonic()
    desk.api.press_button(STAFF_ID, f"ap:1:{other}", message_id=card)
    await desk.expect(_answered("This button does not match a session of this patient.", started))
    await desk.settle()
    assert desk.dump() == before


@pytest.mark.parametrize(
    "data",
    ["ok:cx:1:abc", "ok:cx:1", "ok:cx:1:0", "card:x", "ok:lang:1:0:de", "ok:rs:1:1", "cv:1:2"],
)
async def test_a_malformed_button_is_refused_and_changes_nothing(desk: Driver, data: str) -> None:
    await desk.enrol("Sara Ahmadi")
    desk.api.send_text(STAFF_ID, "/patient 1")
    await desk.expect(sent_to(STAFF_ID, "Sara Ahmadi (patient #1)"))
    await desk.settle()
    before = desk.dump()
    started = time.monotonic()
    desk.api.press_button(
        STAFF_ID, data, message_id=bot_message_id(desk.api, STAFF_ID, "Sara Ahmadi")
    )
    await desk.expect(_answered(INVALID_BUTTON, started))
    await desk.settle()
    assert desk.dump() == before
    assert not desk.api.calls("editMessageText")
