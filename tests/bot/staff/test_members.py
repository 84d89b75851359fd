"""Staff and roles through the real application: /staff, staff invites, removal, command menus,
and strangers refused at every staff command and button."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.calls import text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Chat, Driver, driving
from tests.fakes.bot_api import ApiCall

NEW_STAFF = 4004
STRANGER = 3003
_STAFF_LINK = re.compile(r"https://t\.me/mesocare_test_bot\?start=(staff_[A-Za-z0-9_-]+)")


def _payload(text: str) -> str:
    match = _STAFF_LINK.search(text)
    assert match is not None, text
    return match[1]


def _menus_for(desk: Driver, method: str, user_id: int) -> list[ApiCall]:
    return [
        call
        for call in desk.api.calls(method)
        if call.params.get("scope") == {"type": "chat", "chat_id": user_id}
    ]


def _commands(call: ApiCall) -> set[str]:
    commands: list[dict[str, Any]] = call.params["commands"]
    return {command["command"] for command in commands}


async def _invite_link(admin: Chat) -> str:
    (overview,) = await admin.send("/staff")
    _, (sent,) = await admin.press("New staff invite link", under=overview)
    assert "valid until 2026-12-07 10:30 clinic time" in text_of(sent)
    return _payload(text_of(sent))


def _changes(conn: sqlite3.Connection) -> tuple[int, ...]:
    tables = ("patients", "appointments", "invites", "staff", "staff_invites", "audit")
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


async def test_an_invited_person_becomes_staff_once_and_loses_access_when_removed(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        assert {"staff", "today", "enrol"} <= _commands(
            _menus_for(desk, "setMyCommands", ADMIN_ID)[0]
        )
        payload = await _invite_link(admin)
        assert len(payload) <= 64

        newcomer = desk.chat(NEW_STAFF, first_name="Nasrin")
        (welcome,) = await newcomer.send(f"/start {payload}")
        assert "You are on the staff" in text_of(welcome) and "/today" in text_of(welcome)
        # One menu for every app language (Telegram's language_code), and one for the rest.
        menus = _menus_for(desk, "setMyCommands", NEW_STAFF)
        assert [m.params.get("language_code") for m in menus] == [None, "fa", "en"]
        for menu in menus:
            assert {"enrol", "today", "upcoming", "invite", "language"} <= _commands(menu)
            assert "staff" not in _commands(menu)  # the admin's command only
        (today,) = await newcomer.send("/today")
        assert "No booked appointments" in text_of(today)
        (not_admin,) = await newcomer.send("/staff")
        assert "only the clinic's admin" in text_of(not_admin)
        answer, outputs = await newcomer.press("staff:invite", under=today, expect=0)
        assert "only the clinic's admin" in str(answer.params["text"]) and outputs == []

        (refused,) = await desk.chat(STRANGER).send(f"/start {payload}")  # used once already
        assert "does not work any more" in text_of(refused)

        (overview,) = await admin.send("/staff")
        assert "• Nasrin (Telegram, id 4004)" in text_of(overview)
        _, (ask,) = await admin.press("Remove Nasrin", under=overview)
        assert "Remove Nasrin (Telegram, id 4004) from staff?" in text_of(ask)
        _, (kept,) = await admin.press("No, keep", under=ask)
        assert "• Nasrin (Telegram, id 4004)" in text_of(kept)
        _, (ask,) = await admin.press("Remove Nasrin", under=kept)
        _, (removed,) = await admin.press("Yes, remove", under=ask)
        assert "Removed Telegram user 4004" in text_of(removed)
        assert _menus_for(desk, "deleteMyCommands", NEW_STAFF)

        (refused,) = await newcomer.send("/today")
        assert "staff only" in text_of(refused)
        answer, outputs = await newcomer.press("agenda:u:7:1", under=today, expect=0)
        assert "staff only" in str(answer.params["text"]) and outputs == []
        (gone,) = await admin.send("/staff")
        assert "Nasrin" not in text_of(gone)
        _, (again,) = await admin.press("Yes, remove", under=ask)
        assert "was not staff any more" in text_of(again)
        _, (admin_kept,) = await admin.press(f"staff:removeok:{ADMIN_ID}", under=again)
        assert "is an admin (ADMIN_IDS in .env)" in text_of(admin_kept)

        actions = await desk.services.db.run(
            lambda conn: [
                tuple(row) for row in conn.execute("SELECT actor, action, subject FROM audit")
            ]
        )
    assert actions == [
        ("telegram:1001", "staff_invite", "staff_invite:1"),
        ("telegram:4004", "staff_join", "staff:4004"),
        ("telegram:1001", "staff_remove", "staff:4004"),
    ]


async def test_an_expired_staff_link_is_refused_and_staff_get_their_menu_at_start_up(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        expiring = await _invite_link(admin)
        lasting = await _invite_link(admin)
        clock.advance(hours=23)
        (welcome,) = await desk.chat(NEW_STAFF).send(f"/start {lasting}")
        assert "You are on the staff" in text_of(welcome)
        clock.advance(hours=1)
        (refused,) = await desk.chat(STRANGER).send(f"/start {expiring}")
        assert "does not work any more" in text_of(refused)
        (admin_again,) = await admin.send(f"/start {lasting}")
        assert "You are an admin already" in text_of(admin_again)
    async with driving(tmp_path, clock) as restarted:
        menus = _menus_for(restarted, "setMyCommands", NEW_STAFF)
        assert len(menus) == 3 and all("today" in _commands(menu) for menu in menus)
        assert not _menus_for(restarted, "setMyCommands", STRANGER)


async def test_staff_removed_mid_enrolment_cannot_go_on(tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        payload = await _invite_link(admin)
        newcomer = desk.chat(NEW_STAFF, first_name="Nasrin")
        await newcomer.send(f"/start {payload}")
        (ask_name,) = await newcomer.send("/enrol")
        assert "full name" in text_of(ask_name)
        (overview,) = await admin.send("/staff")
        _, (ask,) = await admin.press("Remove Nasrin", under=overview)
        await admin.press("Yes, remove", under=ask)
        (refused,) = await newcomer.send("Sara Ahmadi")
        assert "staff only" in text_of(refused)
        assert await desk.services.db.run(_changes) == (0, 0, 0, 1, 1, 3)


async def test_a_stranger_is_refused_at_every_staff_command_and_button(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        await admin.send("/enrol Sara Ahmadi 2026-12-08 14:00", expect=2)
        payload = await _invite_link(admin)
        (listing,) = await admin.send("/today")
        before = await desk.services.db.run(_changes)

        stranger = desk.chat(STRANGER)
        for command in (
            "/enrol",
            "/enrol Eve Intruder 2026-12-08 14:00",
            "/today",
            "/upcoming",
            "/upcoming 3",
            "/invite 1",
            "/staff",
        ):
            (refused,) = await stranger.send(command)
            assert "staff only" in text_of(refused) or "only the clinic's admin" in text_of(
                refused
            ), command
        for data in (
            "enrol:abcdef:summary:confirm",
            "enrol:abcdef:day:2026-12-08",
            "agenda:t:0:0",
            "agenda:u:7:1",
            "staff:invite",
            "staff:remove:1001",
            "staff:removeok:4004",
            "staff:keep",
            "staff:anything",
        ):
            answer, outputs = await stranger.press(data, under=listing, expect=0)
            assert answer.params.get("show_alert") is True, data
            assert "staff only" in str(answer.params["text"]) or "only the clinic's admin" in str(
                answer.params["text"]
            ), data
            assert outputs == [], data
        assert await desk.services.db.run(_changes) == before
        assert not any(payload in text_of(call) for call in stranger.replies())
