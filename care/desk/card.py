"""A patient's card for the staff desk: who they are, whether the bot can reach them, and
every session with its care messages."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.clock import from_epoch, to_epoch
from care.core.models import Appointment, CareMessage, Patient, PatientStatus
from care.db import appointments, chats, invites, messages, patients
from care.db.chats import Chat


class LinkStatus(StrEnum):
    LINKED = "linked"
    INVITE_PENDING = "invite_pending"  # an invite that can still be opened
    NO_VALID_INVITE = "no_valid_invite"  # not linked, and every invite is used, void or expired
    UNREACHABLE = "unreachable"
    PAUSED = "paused"
    ERASED = "erased"


@dataclass(frozen=True)
class Session:
    appointment: Appointment
    messages: list[CareMessage]


@dataclass(frozen=True)
class PatientCard:
    patient: Patient
    link: LinkStatus
    invite_expires_at: datetime | None  # when the link status is INVITE_PENDING
    sessions: list[Session]
    chats: tuple[Chat, ...] = ()  # on each channel, the preferred one first


def patient_card(conn: sqlite3.Connection, patient_id: int, now: datetime) -> PatientCard | None:
    patient = patients.get(conn, patient_id)
    if patient is None:
        return None
    link, expires = _link_status(conn, patient, now)
    sessions = [
        Session(appointment, messages.of_appointment(conn, appointment.id))
        for appointment in appointments.of_patient(conn, patient_id)
    ]
    linked = tuple(chats.of_patient(conn, patient_id))
    return PatientCard(patient, link, expires, sessions, linked)


def _link_status(
    conn: sqlite3.Connection, patient: Patient, now: datetime
) -> tuple[LinkStatus, datetime | None]:
    by_status = {
        PatientStatus.ERASED: LinkStatus.ERASED,
        PatientStatus.PAUSED: LinkStatus.PAUSED,
        PatientStatus.UNREACHABLE: LinkStatus.UNREACHABLE,
    }
    if patient.status in by_status:
        return by_status[patient.status], None
    if patient.chat_id is not None:
        return LinkStatus.LINKED, None
    invite = invites.latest(conn, patient.id)
    if (
        invite is None
        or invite.used_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= to_epoch(now)
    ):
        return LinkStatus.NO_VALID_INVITE, None
    return LinkStatus.INVITE_PENDING, from_epoch(invite.expires_at)
