"""Invite links and their QR codes: after every enrolment, and afresh with /invite."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from care.core.models import PatientStatus
from care.db import patients
from tests.calls import text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, PNG_SIGNATURE, driving

PATIENT = 2002
_LINK = re.compile(r"https://t\.me/mesocare_test_bot\?start=([A-Za-z0-9_-]+)")


def _token(text: str) -> str:
    match = _LINK.search(text)
    assert match is not None, text
    return match[1]


def _audit_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute("SELECT actor, action, subject FROM audit ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


async def test_a_new_invite_voids_the_old_link_and_comes_with_a_qr_code(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        enrolled, qr = await staff.send("/enrol Sara Ahmadi 2026-12-08 14:00", expect=2)
        assert "Patient #1" in text_of(enrolled)
        old_token = _token(text_of(enrolled))
        assert qr.method == "sendPhoto"
        assert bytes(qr.params["photo"]).startswith(PNG_SIGNATURE)
        assert qr.params["photo"].mime_type == "image/png"

        reply, new_qr = await staff.send("/invite #۱", expect=2)  # any digits, with or without #
        assert "earlier unused link no longer works" in text_of(reply)
        new_token = _token(text_of(reply))
        assert new_token != old_token
        assert bytes(new_qr.params["photo"]).startswith(PNG_SIGNATURE)
        assert bytes(new_qr.params["photo"]) != bytes(qr.params["photo"])  # a QR of the new link

        patient = desk.chat(PATIENT)
        (refused,) = await patient.send(f"/start {old_token}")
        assert "This link is not valid" in text_of(refused)
        (welcome,) = await patient.send(f"/start {new_token}")
        assert "Test Clinic" in text_of(welcome)

        (note, _) = await staff.send("/invite 1", expect=2)
        assert "already connected on Telegram" in text_of(note)
        rows = await desk.services.db.run(_audit_rows)
    assert rows == [
        ("telegram:1001", "enrol", "patient:1"),
        ("telegram:1001", "invite", "patient:1"),
        ("patient:1", "link", "patient:1"),
        ("telegram:1001", "invite", "patient:1"),
    ]


async def test_invite_for_a_missing_or_erased_patient_is_refused(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        await staff.send("/enrol Sara Ahmadi 2026-12-08 14:00", expect=2)
        (reply,) = await staff.send("/invite")
        assert "Which patient?" in text_of(reply)
        (reply,) = await staff.send("/invite Sara")
        assert "Which patient?" in text_of(reply)
        (reply,) = await staff.send("/invite 99")
        assert "There is no patient #99" in text_of(reply)
        await desk.services.db.run(patients.set_status, 1, PatientStatus.ERASED)
        (reply,) = await staff.send("/invite 1")
        assert "has been erased" in text_of(reply)
        invites = await desk.services.db.run(
            lambda conn: conn.execute("SELECT count(*) FROM invites").fetchone()[0]
        )
    assert invites == 1
