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
            subject=staff_subject(channel, user_id),
            detail=f"staff_invite:{invite.id}",
        )
    return JoinOutcome.JOINED


def remove_staff(
    conn: sqlite3.Connection,
    user_id: int,
    *,
    channel: str = TELEGRAM,
    actor: str,
    now: datetime,
) -> bool:
    """Take away the access of `user_id` on `channel` (the same number on another messenger is
    someone else, left alone); False if they were not (or no longer) staff."""
    with transaction(conn):
        removed = staff.remove(conn, user_id, to_epoch(now), channel)
        if removed:
            audit.record(
                conn,
                at=to_epoch(now),
                actor=actor,
                action="staff_remove",
                subject=staff_subject(channel, user_id),
            )
    return removed


def staff_subject(channel: str, user_id: int) -> str:
    """How the audit trail names a staff member: `staff:<id>` on Telegram (as every row written
    before there were channels), `staff:<channel>:<id>` elsewhere."""
    return f"staff:{user_id}" if channel == TELEGRAM else f"staff:{channel}:{user_id}"


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


def language_of(conn: sqlite3.Connection, user_id: int, channel: str) -> str | None:
    """The language the staff member (or admin) of `channel` chose with /language; None if
    they never did."""
    return staff.language_of(conn, user_id, channel)


def choose_language(
    conn: sqlite3.Connection, user_id: int, channel: str, language: str, now: datetime
) -> None:
    staff.choose_language(conn, user_id, channel, language, to_epoch(now))


def everyone_at_the_desk(
    conn: sqlite3.Connection, admin_ids: frozenset[int], channel: str
) -> list[StaffLanguage]:
    """The admins of `channel` (in id order), then every other current staff member there,
    each with their chosen language."""
    people = [(user_id, True) for user_id in sorted(admin_ids)]
    people += [
        (m.user_id, False)
        for m in staff.active(conn)
        if m.channel == channel and m.user_id not in admin_ids
    ]
    return [
        StaffLanguage(user_id, admin, staff.language_of(conn, user_id, channel))
        for user_id, admin in people
    ]
