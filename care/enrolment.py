"""Enrolling a patient and linking their Telegram chat through an invite."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from care.clock import to_epoch
from care.course import plan_messages
from care.db import appointments, audit, invites, messages, patients
from care.db.connection import transaction
from care.models import Patient, PatientStatus
from care.planning import SessionTimes
from care.protocol import CareProtocol
from care.quiet_hours import QuietHours
from care.text_input import fold_for_search
from care.tokens import looks_like_token, new_token, token_hash
from care.working_time import WorkingTime


@dataclass(frozen=True)
class CarePlan:
    """What the schedule needs to know to plan messages, fixed for the bot's lifetime."""

    protocol: CareProtocol
    tz: ZoneInfo
    quiet: QuietHours
    working: WorkingTime | None = None  # None: every day is a working day


@dataclass(frozen=True)
class Booking:
    full_name: str
    starts_at: datetime
    language: str
    session_count: int = 1
    interval_days: int = 14
    area: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Enrolment:
    patient_id: int
    appointment_ids: tuple[int, ...]
    token: str
    invite_expires_at: datetime


def enrol(
    conn: sqlite3.Connection,
    booking: Booking,
    *,
    plan: CarePlan,
    actor: str,
    invite_days: int,
    now: datetime,
) -> Enrolment:
    """Create the patient, every session of the course, their planned messages and an invite,
    all in one transaction."""
    length = timedelta(minutes=plan.protocol.appointment_minutes)
    with transaction(conn):
        patient_id = patients.add(
            conn,
            full_name=booking.full_name,
            name_key=fold_for_search(booking.full_name),
            language=booking.language,
            phone=booking.phone,
            now=to_epoch(now),
        )
        ids = []
        for number in range(1, booking.session_count + 1):
            starts = booking.starts_at + timedelta(days=booking.interval_days * (number - 1))
            ids.append(
                _add_session(
                    conn,
                    patient_id=patient_id,
                    session=SessionTimes(
                        starts_at=starts,
                        ends_at=starts + length,
                        is_last_of_course=number == booking.session_count,
                    ),
                    number=number,
                    count=booking.session_count,
                    area=booking.area,
                    plan=plan,
                    now=now,
                )
            )
        token, expires = issue_invite(conn, patient_id, invite_days, now)
        audit.record(
            conn, at=to_epoch(now), actor=actor, action="enrol", subject=f"patient:{patient_id}"
        )
    return Enrolment(patient_id, tuple(ids), token, expires)


def _add_session(
    conn: sqlite3.Connection,
    *,
    patient_id: int,
    session: SessionTimes,
    number: int,
    count: int,
    area: str | None,
    plan: CarePlan,
    now: datetime,
) -> int:
    appointment_id = appointments.add(
        conn,
        patient_id=patient_id,
        starts_at=to_epoch(session.starts_at),
        ends_at=to_epoch(session.ends_at),
        session_number=number,
        session_count=count,
        area=area,
        now=to_epoch(now),
    )
    plan_messages(
        conn,
        appointment_id=appointment_id,
        patient_id=patient_id,
        session=session,
        plan=plan,
        now=now,
    )
    return appointment_id


def issue_invite(
    conn: sqlite3.Connection, patient_id: int, days: int, now: datetime
) -> tuple[str, datetime]:
    token = new_token()
    expires = now + timedelta(days=days)
    invites.add(
        conn,
        patient_id=patient_id,
        token_hash=token_hash(token),
        now=to_epoch(now),
        expires_at=to_epoch(expires),
    )
    return token, expires


class LinkOutcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"  # this chat already redeemed this very invite
    INVALID = "invalid"  # unknown, used, revoked or expired: one answer, so none can be probed
    OTHER_CHAT = "other_chat"  # the patient is linked to a different Telegram account


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    patient: Patient | None = None


def redeem_invite(
    conn: sqlite3.Connection, token: str, *, chat_id: int, now: datetime
) -> LinkResult:
    """Link `chat_id` to the invite's patient; a spent or expired invite links nothing. The
    patient has just pressed Start, so they are awake (the caller records it, see
    care.awake): what only waited for the morning is due now."""
    if not looks_like_token(token):
        return LinkResult(LinkOutcome.INVALID)
    with transaction(conn):
        invite = invites.by_hash(conn, token_hash(token))
        if invite is None or invite.revoked_at is not None:
            return LinkResult(LinkOutcome.INVALID)
        patient = patients.get(conn, invite.patient_id)
        assert patient is not None
        if invite.used_at is not None:
            same_chat = patient.chat_id == chat_id
            return LinkResult(LinkOutcome.ALREADY_LINKED if same_chat else LinkOutcome.INVALID)
        if invite.expires_at <= to_epoch(now):
            return LinkResult(LinkOutcome.INVALID)
        if patient.chat_id is not None and patient.chat_id != chat_id:
            return LinkResult(LinkOutcome.OTHER_CHAT)
        holder = patients.by_chat(conn, chat_id)
        if holder is not None and holder.id != patient.id:
            return LinkResult(LinkOutcome.OTHER_CHAT)
        invites.use(conn, invite.id, to_epoch(now))
        patients.link_chat(conn, patient.id, chat_id)
        messages.wake_for_awake_patient(conn, patient.id, to_epoch(now))
        audit.record(
            conn,
            at=to_epoch(now),
            actor=f"patient:{patient.id}",
            action="link",
            subject=f"patient:{patient.id}",
        )
        linked = patients.get(conn, patient.id)
    return LinkResult(LinkOutcome.LINKED, linked)


class InviteOutcome(StrEnum):
    ISSUED = "issued"
    NOT_FOUND = "not_found"
    ERASED = "erased"  # an erased patient's record is gone; nobody may link to it


@dataclass(frozen=True)
class NewInvite:
    outcome: InviteOutcome
    patient: Patient | None = None
    token: str = ""
    expires_at: datetime | None = None


def reissue_invite(
    conn: sqlite3.Connection, patient_id: int, *, actor: str, invite_days: int, now: datetime
) -> NewInvite:
    """A fresh invite for the patient; every earlier unused one stops working."""
    with transaction(conn):
        patient = patients.get(conn, patient_id)
        if patient is None:
            return NewInvite(InviteOutcome.NOT_FOUND)
        if patient.status is PatientStatus.ERASED:
            return NewInvite(InviteOutcome.ERASED, patient)
        token, expires = issue_invite(conn, patient_id, invite_days, now)
        audit.record(
            conn, at=to_epoch(now), actor=actor, action="invite", subject=f"patient:{patient_id}"
        )
    return NewInvite(InviteOutcome.ISSUED, patient, token, expires)
