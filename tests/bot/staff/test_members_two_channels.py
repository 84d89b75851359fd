"""Staff on two messengers through the real application (Telegram and Bale side by side): a
Telegram id and a Bale id are separate namespaces, so the same number may be two people. Each
joins, reads their own language, and removing one leaves the other; remove buttons already in
chats (no messenger in them) name the Telegram member."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from jobs.channels.bale import BALE
from tests.calls import buttons, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Chat, Driver, driving

SAME = 4004  # one number: Nasrin on Telegram, Nima on Bale
BALE_ADMIN = 6_000_000_002
BALE_ENV = {
    "BALE_BOT_TOKEN": "654321:BALE-token-for-the-stand-in",
    "BALE_API_BASE_URL": "http://127.0.0.1:9",  # never dialled: the driver answers
    "BALE_ADMIN_IDS": str(BALE_ADMIN),
}
_PAYLOAD = re.compile(r"start=(staff_[A-Za-z0-9_-]+)")


async def _invite(admin: Chat) -> str:
    (overview,) = await admin.send("/staff")
    _, (sent,) = await admin.press("New staff invite link", under=overview)
    match = _PAYLOAD.search(text_of(sent))
    assert match is not None, text_of(sent)
    return match[1]


async def _join(desk: Driver, admin: Chat, name: str, channel: str) -> Chat:
    payload = await _invite(admin)
    member = desk.chat(SAME, first_name=name, channel=channel)
    (welcome,) = await member.send(f"/start {payload}")
    assert "You are on the staff" in text_of(welcome)
    return member


def _staff_rows(conn: sqlite3.Connection) -> list[tuple[str, int, bool]]:
    rows = conn.execute(
        "SELECT channel, user_id, removed_at IS NULL FROM staff ORDER BY channel"
    ).fetchall()
    return [(str(c), int(u), bool(active)) for c, u, active in rows]


async def test_the_same_number_on_telegram_and_bale_is_two_staff_members(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock, env=BALE_ENV) as desk:
        admin = desk.chat(ADMIN_ID)
        nasrin = await _join(desk, admin, "Nasrin", "telegram")
        nima = await _join(desk, admin, "Nima", BALE)
        assert await desk.db(_staff_rows) == [(BALE, SAME, True), ("telegram", SAME, True)]

        (overview,) = await admin.send("/staff")
        text = text_of(overview)
        assert "• Nasrin (Telegram, id 4004)" in text and "• Nima (Bale, id 4004)" in text
        assert f"Admins on Bale (BALE_ADMIN_IDS in .env): {BALE_ADMIN}" in text
        assert {"Remove Nasrin (Telegram)", "Remove Nima (Bale)"} <= set(buttons(overview))

        # Each one's /language is their own: Nasrin chooses Persian, Nima English.
        (prompt,) = await nasrin.send("/language")
        await nasrin.press("slang:fa", under=prompt)
        (prompt,) = await nima.send("/language")
        await nima.press("slang:en", under=prompt)
        (nasrin_today,) = await nasrin.send("/today")
        (nima_today,) = await nima.send("/today")
        assert "No booked appointments" not in text_of(nasrin_today)  # Persian now
        assert "No booked appointments" in text_of(nima_today)

        # A Telegram admin removes the Bale member: exactly that one.
        _, (ask,) = await admin.press("Remove Nima (Bale)", under=overview)
        assert "Remove Nima (Bale, id 4004) from staff?" in text_of(ask)
        _, (removed,) = await admin.press("Yes, remove", under=ask)
        assert "Removed Bale user 4004 from staff" in text_of(removed)
        assert await desk.db(_staff_rows) == [(BALE, SAME, False), ("telegram", SAME, True)]
        (refused,) = await nima.send("/today")
        assert "staff only" in text_of(refused)
        (still,) = await nasrin.send("/today")
        assert "staff only" not in text_of(still) and text_of(still) == text_of(nasrin_today)

        # Nasrin still reads Persian: Nima's choice and removal were Nima's alone.
        (again,) = await nasrin.send("/language")
        assert "به چه زبانی" in text_of(again)

        # A remove button from before there were messengers names the Telegram member.
        _, (legacy,) = await admin.press("staff:remove:4004", under=removed)
        assert "Remove Nasrin (Telegram, id 4004) from staff?" in text_of(legacy)
        _, (gone,) = await admin.press("Yes, remove", under=legacy)
        assert "Removed Telegram user 4004" in text_of(gone)
        assert await desk.db(_staff_rows) == [(BALE, SAME, False), ("telegram", SAME, False)]

        audit = await desk.db(
            lambda conn: [
                tuple(row)
                for row in conn.execute(
                    "SELECT actor, subject FROM audit WHERE action = 'staff_remove' ORDER BY id"
                )
            ]
        )
    assert audit == [("telegram:1001", "staff:bale:4004"), ("telegram:1001", "staff:4004")]


async def test_a_bale_admin_is_kept_by_its_own_setting(tmp_path: Path, clock: FakeClock) -> None:
    """The same number as a Bale admin, pressed as a Bale remove button: only .env removes it."""
    async with driving(tmp_path, clock, env=BALE_ENV) as desk:
        admin = desk.chat(ADMIN_ID)
        (overview,) = await admin.send("/staff")
        before = await desk.db(_staff_rows)
        _, (kept,) = await admin.press(f"staff:removeok:bale:{BALE_ADMIN}", under=overview)
        assert f"Bale user {BALE_ADMIN} is an admin (BALE_ADMIN_IDS in .env)" in text_of(kept)
        _, (stranger,) = await admin.press(f"staff:remove:bale:{ADMIN_ID}", under=kept)
        # The Telegram admin's number on Bale is nobody: not staff, nothing changes.
        assert f"Bale user {ADMIN_ID} is not staff any more" in text_of(stranger)
        assert await desk.db(_staff_rows) == before
