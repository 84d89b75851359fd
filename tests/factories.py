"""The one place tests make things: bookings, enrolled and linked patients, staff members, and
the claims and sends the sender would make. Each maker is a plain function of a connection, so
it runs directly on a test's `conn` or on the bot's own database thread:

    enrolment = linked_patient(conn, plan, clock.now(), chat_id=42)
    enrolment = await bot.db(linked_patient, bot.services.plan, bot.clock.now(), chat_id=42)

Patients go through the domain's own use cases (`enrol`, `redeem_invite`), never around them
with SQL, so what a maker makes is what the bot would have made.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypedDict, Unpack
from zoneinfo import ZoneInfo

from care.core.clock import to_epoch
from care.core.models import CareMessage, MessageState
from care.db import messages
from care.db import staff as staff_store
from care.db.connection import connect
from care.db.messages import Claim
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import redeem_invite
from care.schedule import message_life
from care.schedule.plan import CarePlan
from care.schedule.protocol import load_protocol
from care.schedule.quiet_hours import QuietHours
from tests.fakes.schedule import DELIVERY_PROTOCOL

NAME = "Sara Ahmadi"
ACTOR = "test"
INVITE_DAYS = 14


def booking(
    now: datetime,
    *,
    name: str = NAME,
    starts_in: timedelta = timedelta(days=3),
    starts_at: datetime | None = None,
    language: str = "en",
    sessions: int = 1,
    interval_days: int = 14,
    area: str | None = None,
    phone: str | None = None,
) -> Booking:
    """A booking `starts_in` from `now` (or at `starts_at`)."""
    return Booking(
        full_name=name,
        starts_at=starts_at if starts_at is not None else now + starts_in,
        language=language,
        session_count=sessions,
        interval_days=interval_days,
        area=area,
        phone=phone,
    )


class BookingDetails(TypedDict, total=False):
    """What a test may say about a booking; the rest is `booking`'s default."""

    name: str
    starts_in: timedelta
    starts_at: datetime | None
    language: str
    sessions: int
    interval_days: int
    area: str | None
    phone: str | None


def enrolled(
    conn: sqlite3.Connection,
    /,
    plan: CarePlan,
    now: datetime,
    *,
    actor: str = ACTOR,
    **details: Unpack[BookingDetails],
) -> Enrolment:
    """A patient enrolled as the desk enrols one, their invite not yet opened."""
    made = booking(now, **details)
    return enrol(conn, made, plan=plan, actor=actor, invite_days=INVITE_DAYS, now=now)


def linked_patient(
    conn: sqlite3.Connection,
    /,
    plan: CarePlan,
    now: datetime,
    *,
    chat_id: int,
    actor: str = ACTOR,
    **details: Unpack[BookingDetails],
) -> Enrolment:
    """A patient enrolled whose invite `chat_id` has opened."""
    enrolment = enrolled(conn, plan, now, actor=actor, **details)
    redeem_invite(conn, enrolment.token, chat_id=chat_id, now=now)
    return enrolment


def linked_patients(
    db_path: Path,
    chat_ids: Iterable[int],
    *,
    starts_at: datetime,
    now: datetime,
    protocol_path: Path = DELIVERY_PROTOCOL,
) -> list[int]:
    """One linked English-speaking patient per chat, in the database at `db_path` (a bot
    process's, before it starts), with one session at `starts_at`; their patient ids."""
    plan = CarePlan(
        load_protocol(protocol_path), ZoneInfo("Asia/Tehran"), QuietHours.parse("00:00-00:00")
    )
    with contextlib.closing(connect(db_path)) as conn:
        return [
            linked_patient(
                conn, plan, now, chat_id=chat_id, name=f"Patient {chat_id}", starts_at=starts_at
            ).patient_id
            for chat_id in chat_ids
        ]


def staff_member(
    conn: sqlite3.Connection, /, user_id: int, now: datetime, *, name: str = "Reception"
) -> None:
    """A member of staff, as an admin's staff invite makes one once opened (the invite itself
    is tested in tests/bot/staff)."""
    staff_store.add(conn, user_id=user_id, display_name=name, added_by=ACTOR, now=to_epoch(now))


def claim_due(conn: sqlite3.Connection, /, now: datetime) -> list[Claim]:
    """Take what is due for sending as jobs/delivery does, skipping the expired first."""
    message_life.skip_expired(conn, to_epoch(now))
    return message_life.claim_due(conn, to_epoch(now), 100)


def send_due(conn: sqlite3.Connection, /, plan: CarePlan, now: datetime) -> list[str]:
    """Deliver every due message as jobs/delivery records it; the steps sent, in order."""
    claims = claim_due(conn, now)
    for number, claim in enumerate(claims, start=1):
        message_life.record_sent(conn, claim, number, now, plan)
    return [claim.step for claim in claims]


def of_step(conn: sqlite3.Connection, /, appointment_id: int, step: str) -> list[CareMessage]:
    """The care messages of one step of an appointment."""
    return [m for m in messages.of_appointment(conn, appointment_id) if m.step == step]


def message_states(conn: sqlite3.Connection, /, appointment_id: int) -> dict[str, MessageState]:
    """Each step of an appointment and its message's state."""
    return {m.step: m.state for m in messages.of_appointment(conn, appointment_id)}


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table, to prove that something changed nothing."""
    return list(conn.iterdump())
