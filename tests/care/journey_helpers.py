"""Building blocks for care/ tests: a linked patient, and sending what is due the way the
sender records it (claim, then record the send and run its hook in one transaction)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.clock import to_epoch
from care.core.models import CareMessage
from care.db import messages
from care.db.messages import Claim
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import redeem_invite
from care.schedule import message_life
from care.schedule.plan import CarePlan


def linked_patient(
    conn: sqlite3.Connection,
    plan: CarePlan,
    now: datetime,
    *,
    chat_id: int,
    starts_in: timedelta = timedelta(days=3),
    sessions: int = 1,
) -> Enrolment:
    booking = Booking("Sara Ahmadi", now + starts_in, "en", session_count=sessions)
    enrolment = enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=now)
    redeem_invite(conn, enrolment.token, chat_id=chat_id, now=now)
    return enrolment


def claim_due(conn: sqlite3.Connection, now: datetime) -> list[Claim]:
    """Take what is due for sending as jobs/delivery does, skipping the expired first."""
    message_life.skip_expired(conn, to_epoch(now))
    return message_life.claim_due(conn, to_epoch(now), 100)


def send_due(conn: sqlite3.Connection, plan: CarePlan, now: datetime) -> list[str]:
    """Deliver every due message as jobs/delivery does; the steps sent, in order."""
    claims = claim_due(conn, now)
    for number, claim in enumerate(claims, start=1):
        message_life.record_sent(conn, claim, number, now, plan)
    return [claim.step for claim in claims]


def of_step(conn: sqlite3.Connection, appointment_id: int, step: str) -> list[CareMessage]:
    return [m for m in messages.of_appointment(conn, appointment_id) if m.step == step]


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table, to prove that something changed nothing."""
    return list(conn.iterdump())
