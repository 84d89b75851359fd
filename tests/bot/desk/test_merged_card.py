"""A card asked for by the number of a record that was merged away, through the real
application: an old alert's "Open patient card" button and `/patient N` show the record it went
to, with a line saying so (following a merge of a merge); a number that never was a record is
still "no match"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.db import alerts
from care.people.merge import merge
from tests.calls import buttons, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Driver, driving


async def _merge(desk: Driver, keep: int, other: int) -> None:
    merged = await desk.db(
        merge,
        keep,
        other,
        plan=desk.services.plan,
        actor=f"telegram:{ADMIN_ID}",
        now=desk.clock.now(),
    )
    assert merged.patient is not None and merged.patient.id == keep


async def _alert_about(desk: Driver, patient_id: int) -> int:
    def store(conn: sqlite3.Connection) -> int | None:
        return alerts.raise_once(
            conn,
            kind=AlertKind.BOOK_ME,
            dedupe_key=f"test:merged:{patient_id}",
            now=to_epoch(desk.clock.now()),
            patient_id=patient_id,
        )

    alert_id = await desk.db(store)
    assert alert_id is not None
    return alert_id


async def test_an_old_alert_opens_the_kept_record_saying_it_was_merged(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        kept = (await desk.enrol("Sara Ahmadi", phone="+98 912 123 4567")).patient_id
        other = (await desk.enrol("Sara Ahmadi-Rad")).patient_id
        await _alert_about(desk, other)
        await desk.tick()
        admin = desk.chat(ADMIN_ID)
        post = admin.last_reply
        assert "Sara Ahmadi-Rad" in text_of(post) and "Open patient card" in buttons(post)
        await _merge(desk, kept, other)

        pressed = await admin.press("Open patient card", under=post)
        (card,) = pressed.outputs
        text = text_of(card)
        assert text.startswith(
            f"Patient #{other} was merged into patient #{kept}: this is that record.\n\n"
        )
        assert f"Sara Ahmadi (patient #{kept})" in text
        assert f"There is no patient #{other}" not in text
        data = [value for _, value in admin.buttons()]
        assert f"cv:{kept}" in data and f"cv:{other}" not in data  # the kept record's buttons

        for typed in (str(other), f"#{other}"):
            (found,) = await admin.send(f"/patient {typed}")
            assert text_of(found).startswith(f"Patient #{other} was merged into patient #{kept}")
            assert f"Sara Ahmadi (patient #{kept})" in text_of(found)
        (live,) = await admin.send(f"/patient {kept}")
        assert "was merged" not in text_of(live)  # the kept record's own number: no note
        (never,) = await admin.send("/patient #99")
        assert text_of(never).startswith("No patient matches “#99”")


async def test_a_record_merged_twice_leads_to_where_it_is_now(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        first = (await desk.enrol("Sara Ahmadi")).patient_id
        second = (await desk.enrol("Sara A.")).patient_id
        third = (await desk.enrol("Sara Ahmadi Rad")).patient_id
        await _merge(desk, second, first)
        await _merge(desk, third, second)
        admin = desk.chat(ADMIN_ID)
        (card,) = await admin.send(f"/patient {first}")
        assert text_of(card).startswith(
            f"Patient #{first} was merged into patient #{third}: this is that record."
        )
        assert f"Sara Ahmadi Rad (patient #{third})" in text_of(card)


async def test_in_persian_the_note_is_persian(tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock, env={"STAFF_LANGUAGE": "fa"}) as desk:
        kept = (await desk.enrol("Sara Ahmadi")).patient_id
        other = (await desk.enrol("Sara A.")).patient_id
        await _merge(desk, kept, other)
        admin = desk.chat(ADMIN_ID, language_code="fa")
        (card,) = await admin.send(f"/patient {other}")
        assert text_of(card).startswith("بیمار شمارهٔ")
        assert "ادغام شده است" in text_of(card)
