"""Staff invites, joining and removal against a real SQLite database."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

from care.db import audit, staff
from care.people.staffing import (
    STAFF_INVITE_PREFIX,
    JoinOutcome,
    create_staff_invite,
    join_staff,
    remove_staff,
)
from care.people.tokens import token_hash
from tests.conftest import FakeClock


def test_a_staff_invite_fits_a_start_payload_and_is_stored_hashed(
    conn: sqlite3.Connection, clock: FakeClock
) -> None:
    payload, expires = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert payload.startswith(STAFF_INVITE_PREFIX)
    assert expires - clock.now() == timedelta(hours=24)
    (stored,) = conn.execute("SELECT token_hash, created_by FROM staff_invites").fetchall()
    token = payload.removeprefix(STAFF_INVITE_PREFIX)
    assert tuple(stored) == (token_hash(token), "telegram:1001")
    assert payload not in str(tuple(stored)) and token not in str(tuple(stored))
    assert audit.actions(conn, "staff_invite:1") == ["staff_invite"]


def test_an_invite_makes_one_person_staff_once(conn: sqlite3.Connection, clock: FakeClock) -> None:
    payload, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    joined = join_staff(conn, payload, user_id=42, display_name="Nasrin", now=clock.now())
    assert joined is JoinOutcome.JOINED
    assert staff.active(conn) == [staff.StaffMember(42, "Nasrin")]
    again = join_staff(conn, payload, user_id=43, display_name="Eve", now=clock.now())
    assert again is JoinOutcome.INVALID
    assert not staff.is_active(conn, 43)
    added_by = conn.execute("SELECT added_by FROM staff WHERE user_id = 42").fetchone()[0]
    assert added_by == "telegram:1001"
    assert audit.actions(conn, "staff:42") == ["staff_join"]


def test_an_expired_unknown_or_mangled_invite_makes_nobody_staff(
    conn: sqlite3.Connection, clock: FakeClock
) -> None:
    payload, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    late = clock.now() + timedelta(hours=24)
    tries = [
        (payload, late),
        (payload[:-1], clock.now()),
        (payload.removeprefix(STAFF_INVITE_PREFIX), clock.now()),  # the token without prefix
        (STAFF_INVITE_PREFIX + "A" * 32, clock.now()),
        ("staff_<script>", clock.now()),
    ]
    for tried, at in tries:
        assert join_staff(conn, tried, user_id=7, display_name="X", now=at) is JoinOutcome.INVALID
    assert staff.active(conn) == []


def test_someone_already_staff_leaves_the_invite_for_another(
    conn: sqlite3.Connection, clock: FakeClock
) -> None:
    first, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    second, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    join_staff(conn, first, user_id=42, display_name="Nasrin", now=clock.now())
    outcome = join_staff(conn, second, user_id=42, display_name="Nasrin", now=clock.now())
    assert outcome is JoinOutcome.ALREADY_STAFF
    assert join_staff(conn, second, user_id=43, display_name="Ali", now=clock.now()) is (
        JoinOutcome.JOINED
    )


def test_removal_ends_access_and_is_audited_once(
    conn: sqlite3.Connection, clock: FakeClock
) -> None:
    payload, _ = create_staff_invite(conn, actor="telegram:1001", now=clock.now())
    join_staff(conn, payload, user_id=42, display_name="Nasrin", now=clock.now())
    assert remove_staff(conn, 42, actor="telegram:1001", now=clock.now())
    assert not staff.is_active(conn, 42)
    assert not remove_staff(conn, 42, actor="telegram:1001", now=clock.now())
    assert audit.actions(conn, "staff:42") == ["staff_join", "staff_remove"]
