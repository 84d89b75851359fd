"""Alert owners on two messengers through the real application: the owner is a user id on one
messenger, so a Bale staff member with the same number as the Telegram one who took an alert
can neither close it nor write its note, and /alerts says which messenger the owner is on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.db import alerts, staff
from jobs.channels.bale import BALE
from tests.calls import buttons, message_id, text_of
from tests.conftest import FakeClock
from tests.driver import Driver, driving

SAME = 5005  # Mina on Telegram, Mahsa on Bale
BALE_ADMIN = 6_000_000_002
BALE_ENV = {
    "BALE_BOT_TOKEN": "654321:BALE-token-for-the-stand-in",
    "BALE_API_BASE_URL": "http://127.0.0.1:9",  # never dialled: the driver answers
    "BALE_ADMIN_IDS": str(BALE_ADMIN),
}


def _owner(conn: sqlite3.Connection, alert_id: int) -> tuple[object, ...]:
    row = conn.execute(
        "SELECT owner_id, owner_channel, closed_at IS NOT NULL, note FROM alerts WHERE id = ?",
        (alert_id,),
    ).fetchone()
    return tuple(row)


async def _raise(desk: Driver) -> int:
    patient_id = (await desk.enrol("Sara Ahmadi")).patient_id

    def store(conn: sqlite3.Connection) -> int | None:
        return alerts.raise_once(
            conn,
            kind=AlertKind.BOOK_ME,
            dedupe_key="test:two-channels",
            now=to_epoch(desk.clock.now()),
            patient_id=patient_id,
        )

    alert_id = await desk.db(store)
    assert alert_id is not None
    await desk.tick()
    return alert_id


async def test_the_same_number_on_bale_cannot_close_a_telegram_owners_alert(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock, env=BALE_ENV) as desk:
        await desk.db(staff.add, user_id=SAME, display_name="Mina", added_by="test", now=0)
        await desk.db(
            staff.add, user_id=SAME, display_name="Mahsa", added_by="test", now=0, channel=BALE
        )
        alert_id = await _raise(desk)
        mina = desk.chat(SAME, first_name="Mina")
        mahsa = desk.chat(SAME, first_name="Mahsa", channel=BALE)
        on_telegram, on_bale = mina.last_reply, mahsa.last_reply
        assert "I'll handle it" in str(buttons(on_telegram)) and "Sara Ahmadi" in text_of(on_bale)

        await mina.press("🙋 I'll handle it", under=on_telegram)  # a press's sender is "Test"
        assert await desk.db(_owner, alert_id) == (SAME, "telegram", False, None)

        # Mahsa's copy now offers Done (every copy shows the owner); hers changes nothing.
        before = desk.dump()
        refused = await mahsa.press(f"own:done:{alert_id}", under=on_bale, expect=0)
        assert "Only Test, who is handling it, can close it." in refused.answer_text
        assert desk.dump() == before
        taken = await mahsa.press(f"own:take:{alert_id}", under=on_bale, expect=0)
        assert "Test is already handling it" in taken.answer_text

        # /alerts on either messenger says whose messenger the owner is on.
        (listing,) = await desk.chat(BALE_ADMIN, channel=BALE).send("/alerts")
        assert f"#{alert_id}" in text_of(listing) and "Test (Telegram)" in text_of(listing)

        # Mina closes it; a reply from Mahsa to her Bale copy is not the owner's note.
        await mina.press(f"own:done:{alert_id}", under=on_telegram)
        assert await desk.db(_owner, alert_id) == (SAME, "telegram", True, None)
        await mahsa.send("Called her.", reply_to=message_id(on_bale), expect=0)
        assert await desk.db(_owner, alert_id) == (SAME, "telegram", True, None)
        await mina.send("Called her: fine.", reply_to=message_id(on_telegram))
        assert await desk.db(_owner, alert_id) == (SAME, "telegram", True, "Called her: fine.")

        actors = await desk.db(
            lambda conn: [
                str(row[0])
                for row in conn.execute(
                    "SELECT actor FROM audit WHERE subject = ? ORDER BY id", (f"alert:{alert_id}",)
                )
            ]
        )
    assert actors == ["telegram:5005", "telegram:5005", "telegram:5005"]
