"""Who is staff: one-time staff invites made by an admin, joining through one, removal.

A staff invite travels as a Telegram start payload, `staff_<token>` (38 characters of
[A-Za-z0-9_-], inside Telegram's 64), and is stored only as the token's hash.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.db import audit, staff, staff_invites
from care.db.connection import transaction
from care.db.staff import StaffMember as StaffMember
from care.people.tokens import looks_like_token, new_token, token_hash

STAFF_INVITE_PREFIX = "staff_"
STAFF_INVITE_LIFETIME = timedelta(hours=24)
MAX_DISPLAY_NAME = 64


class JoinOutcome(StrEnum):
    JOINED = "joined"
    ALREADY_STAFF = "already_staff"  # the link is left unspent for whoever it was meant for
    INVALID = "invalid"  # unknown, used or expired: one answer, so none can be probed


def create_staff_invite(
    conn: sqlite3.Connection, *, actor: str, now: datetime
) -> tuple[str, datetime]:
    """A new single-use staff invite; returns its start payload and when it expires."""
    token = new_token()
    expires = now + STAFF_INVITE_LIFETIME
    with transaction(conn):
        invite_id = staff_invites.add(
            conn,
            token_hash=token_hash(token),
            created_by=actor,
            now=to_epoch(now),
            expires_at=to_epoch(expires),
        )
        audit.record(
            conn,
            at=to_epoch(now),
            actor=actor,
            action="staff_invite",
            subject=f"staff_invite:{invite_id}",
        )
    return STAFF_INVITE_PREFIX + token, expires


def join_staff(
    conn: sqlite3.Connection,
    payload: str,
    *,
    user_id: int,
    display_name: str,
    now: datetime,
    channel: str = TELEGRAM,
) -> JoinOutcome:
    """Make `user_id` (an id on `channel`) staff if `payload` is a live staff invite,
    spending it."""
    token = payload.removeprefix(STAFF_INVITE_PREFIX)
    if token == payload or not looks_like_token(token):
        return JoinOutcome.INVALID
    with transaction(conn):
        invite = staff_invites.by_hash(conn, token_hash(token))
        if invite is None or invite.used_at is not None or invite.expires_at <= to_epoch(now):
            return JoinOutcome.INVALID
        if staff.is_active(conn, user_id, channel):
            return JoinOutcome.ALREADY_STAFF
        staff_invites.use(conn, invite.id, user_id=user_id, now=to_epoch(now))
        staff.add(
            conn,
            user_id=user_id,
            display_name=display_name[:MAX_DISPLAY_NAME] or str(user_id),
            added_by=invite.created_by,
            now=to_epoch(now),
            channel=channel,
        )
        audit.record(
            conn,
            at=to_epoch(now),
            actor=f"{channel}:{user_id}",
            action="staff_join",
            subject=f"staff:{user_id}",
            detail=f"staff_invite:{invite.id}",
        )
    return JoinOutcome.JOINED


def remove_staff(conn: sqlite3.Connection, user_id: int, *, actor: str, now: datetime) -> bool:
    """Take away a staff member's access; False if they were not (or no longer) staff."""
    with transaction(conn):
        removed = staff.remove(conn, user_id, to_epoch(now))
        if removed:
            audit.record(
                conn,
                at=to_epoch(now),
                actor=actor,
                action="staff_remove",
                subject=f"staff:{user_id}",
            )
    return removed


# Reading and setting what the bot knows of each staff member. -------------------------------


@dataclass(frozen=True)
class StaffLanguage:
    user_id: int
    admin: bool
    language: str | None  # their own choice (/language); None when they never chose


def is_staff_member(conn: sqlite3.Connection, user_id: int, channel: str = TELEGRAM) -> bool:
    """Whether `user_id` (an id on `channel`) is a current (not removed) staff member; admins
    come from settings."""
    return staff.is_active(conn, user_id, channel)


def active_staff(conn: sqlite3.Connection) -> list[StaffMember]:
    return staff.active(conn)


def language_of(conn: sqlite3.Connection, user_id: int) -> str | None:
    """The language the staff member chose with /language; None if they never did."""
    return staff.language_of(conn, user_id)


def choose_language(conn: sqlite3.Connection, user_id: int, language: str, now: datetime) -> None:
    staff.choose_language(conn, user_id, language, to_epoch(now))


def everyone_at_the_desk(
    conn: sqlite3.Connection, admin_ids: frozenset[int]
) -> list[StaffLanguage]:
    """The admins (in id order), then every other current staff member, each with their
    chosen language."""
    people = [(user_id, True) for user_id in sorted(admin_ids)]
    people += [(m.user_id, False) for m in staff.active(conn) if m.user_id not in admin_ids]
    return [
        StaffLanguage(user_id, admin, staff.language_of(conn, user_id)) for user_id, admin in people
    ]
