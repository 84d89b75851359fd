"""Invite links: issued at enrolment or on request, redeemed once by the patient's chat."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from care.core.clock import to_epoch
from care.core.models import Patient, PatientStatus
from care.db import audit, chats, invites, messages, patients
from care.db.connection import transaction
from care.people.tokens import looks_like_token, new_token, token_hash


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
    conn: sqlite3.Connection,
    token: str,
    *,
    chat_id: int,
    now: datetime,
    channel: str = chats.TELEGRAM,
) -> LinkResult:
    """Link `chat_id` on `channel` to the invite's patient; an expired invite links nothing.
    An invite is used once per channel: the same link opened in a second messenger links
    that one too (one invite carries a link for each). The patient has just pressed Start,
    so they are awake (the caller records it, see care.awake): what only waited for the
    morning is due now."""
    if not looks_like_token(token):
        return LinkResult(LinkOutcome.INVALID)
    with transaction(conn):
        invite = invites.by_hash(conn, token_hash(token))
        if invite is None or invite.revoked_at is not None:
            return LinkResult(LinkOutcome.INVALID)
        patient = patients.get(conn, invite.patient_id)
        assert patient is not None
        mine = {chat.channel: chat.chat_id for chat in chats.of_patient(conn, patient.id)}
        if invite.used_at is not None and mine.get(channel) == chat_id:
            return LinkResult(LinkOutcome.ALREADY_LINKED)
        if invite.used_at is not None and (channel in mine or not mine):
            return LinkResult(LinkOutcome.INVALID)
        if invite.expires_at <= to_epoch(now):
            return LinkResult(LinkOutcome.INVALID)
        if channel in mine:
            return LinkResult(LinkOutcome.OTHER_CHAT)
        holder = patients.by_chat(conn, chat_id, channel)
        if holder is not None and holder.id != patient.id:
            return LinkResult(LinkOutcome.OTHER_CHAT)
        if invite.used_at is None:
            invites.use(conn, invite.id, to_epoch(now))
        patients.link_chat(conn, patient.id, chat_id, to_epoch(now), channel)
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
