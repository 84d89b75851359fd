"""Merging two records of the same person (an admin's decision, from the card): everything of
the other record moves to the one kept, in one transaction, and the other record is gone.

What moves: appointments (the courses numbered again by when each began), care messages with
their answers and satisfaction comments, invites, alerts, relayed messages, and the linked
chats. A patient has one chat per channel, so when both records have a chat on the same
channel the one the patient was active in most recently is kept (a reachable chat before one
that refused delivery; activity: when it was linked, or the last answer that came by it).
The kept record keeps its name and language, and takes the other's phone if it had none; it
is paused if either was (the patient asked to stop), unreachable if every chat it ends with
refused delivery. The six-monthly follow-up moves to the last session of all.

The audit trail records who merged which into which (ids only); it is also what tells a
second attempt that a record has been merged already.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.clock import to_epoch
from care.core.models import Patient, PatientStatus
from care.db import appointments, audit, chats, merging, patients
from care.db.connection import transaction
from care.schedule.course import hand_over_last_steps, renumber
from care.schedule.plan import CarePlan


class Refusal(StrEnum):
    SAME_RECORD = "same_record"
    MISSING = "missing"  # no such record, and none merged under that number
    ALREADY_MERGED = "already_merged"
    ERASED = "erased"


@dataclass(frozen=True)
class Summary:
    """One record as the confirmation shows it."""

    patient: Patient
    sessions: int
    courses: int
    channels: tuple[str, ...]  # where it has a linked chat


@dataclass(frozen=True)
class ChatClash:
    """Both records have a chat on `channel`: the one of `kept_from` stays."""

    channel: str
    kept_from: int  # the patient id whose chat is kept


@dataclass(frozen=True)
class Proposal:
    keep: Summary
    other: Summary
    clashes: tuple[ChatClash, ...]


@dataclass(frozen=True)
class Check:
    """A proposal, or why there is none: `subject` is the record at fault, and `merged_into`
    where it went when it was merged already."""

    proposal: Proposal | None
    refusal: Refusal | None = None
    subject: int | None = None
    merged_into: int | None = None


def propose(conn: sqlite3.Connection, keep_id: int, other_id: int) -> Check:
    """What merging `other_id` into `keep_id` would do, or why it cannot be done."""
    if keep_id == other_id:
        return Check(None, Refusal.SAME_RECORD, keep_id)
    found: dict[int, Patient] = {}
    for patient_id in (keep_id, other_id):
        patient = patients.get(conn, patient_id)
        if patient is None:
            into = merging.merged_into(conn, patient_id)
            refusal = Refusal.MISSING if into is None else Refusal.ALREADY_MERGED
            return Check(None, refusal, patient_id, into)
        if patient.status is PatientStatus.ERASED:
            return Check(None, Refusal.ERASED, patient_id)
        found[patient_id] = patient
    activity = merging.chat_activity(conn, (keep_id, other_id))
    return Check(
        Proposal(
            _summary(conn, found[keep_id], activity),
            _summary(conn, found[other_id], activity),
            _clashes(activity, keep_id),
        )
    )


@dataclass(frozen=True)
class Merged:
    """The outcome: the check that allowed it (or refused it), and the record kept."""

    check: Check
    patient: Patient | None = None


def merge(
    conn: sqlite3.Connection,
    keep_id: int,
    other_id: int,
    *,
    plan: CarePlan,
    actor: str,
    now: datetime,
) -> Merged:
    """Merge `other_id` into `keep_id`, all of it or (refused) nothing."""
    with transaction(conn):
        check = propose(conn, keep_id, other_id)
        if check.proposal is None:
            return Merged(check)
        courses = _course_order(conn, keep_id, other_id)
        for clash in check.proposal.clashes:
            loser = other_id if clash.kept_from == keep_id else keep_id
            merging.drop_chat(conn, loser, clash.channel)
        merging.move_owned(conn, other_id, keep_id)
        merging.shift_courses(conn, keep_id, courses)
        merging.move_chats(conn, other_id, keep_id)
        merging.settle_patient(conn, keep_id, other_id)
        patients.set_status(conn, keep_id, _status(conn, check.proposal, keep_id))
        merging.delete(conn, other_id)
        renumber(conn, keep_id)
        hand_over_last_steps(conn, keep_id, plan=plan, now=now)
        _audit(conn, check.proposal, actor=actor, at=to_epoch(now))
        kept = patients.get(conn, keep_id)
    return Merged(check, kept)


def _summary(
    conn: sqlite3.Connection, patient: Patient, activity: list[merging.ChatActivity]
) -> Summary:
    booked = appointments.of_patient(conn, patient.id)
    return Summary(
        patient,
        sessions=len(booked),
        courses=len({a.course for a in booked}),
        channels=tuple(a.channel for a in activity if a.patient_id == patient.id),
    )


def _clashes(activity: list[merging.ChatActivity], keep_id: int) -> tuple[ChatClash, ...]:
    by_channel: dict[str, list[merging.ChatActivity]] = {}
    for chat in activity:
        by_channel.setdefault(chat.channel, []).append(chat)
    clashes = []
    for channel, both in sorted(by_channel.items()):
        if len(both) < 2:
            continue
        # Reachable first, then the most recent activity; on a tie, the kept record's chat.
        best = max(both, key=lambda c: (c.reachable, c.active_at, c.patient_id == keep_id))
        clashes.append(ChatClash(channel, best.patient_id))
    return tuple(clashes)


def _course_order(conn: sqlite3.Connection, keep_id: int, other_id: int) -> list[tuple[int, int]]:
    """(appointment id, course) for every appointment of both records: each record's courses
    stay whole and are numbered 1, 2, ... by the start of their first session."""
    groups: dict[tuple[int, int], list[int]] = {}
    first: dict[tuple[int, int], datetime] = {}
    for patient_id in (keep_id, other_id):
        for appointment in appointments.of_patient(conn, patient_id):
            key = (patient_id, appointment.course)
            groups.setdefault(key, []).append(appointment.id)
            first[key] = min(first.get(key, appointment.starts_at), appointment.starts_at)
    ordered = sorted(groups, key=lambda key: (first[key], key[0] != keep_id, key[1]))
    return [
        (appointment_id, number)
        for number, key in enumerate(ordered, start=1)
        for appointment_id in groups[key]
    ]


def _status(conn: sqlite3.Connection, proposal: Proposal, keep_id: int) -> PatientStatus:
    if PatientStatus.PAUSED in (proposal.keep.patient.status, proposal.other.patient.status):
        return PatientStatus.PAUSED
    linked = chats.of_patient(conn, keep_id)
    if linked and all(chat.unreachable for chat in linked):
        return PatientStatus.UNREACHABLE
    return PatientStatus.ACTIVE


def _audit(conn: sqlite3.Connection, proposal: Proposal, *, actor: str, at: int) -> None:
    keep, other = proposal.keep.patient.id, proposal.other.patient.id
    kept = ", ".join(f"{c.channel} of patient:{c.kept_from}" for c in proposal.clashes)
    audit.record(
        conn,
        at=at,
        actor=actor,
        action=merging.MERGE_ACTION,
        subject=f"patient:{other}",
        detail=f"{merging.INTO_PREFIX}{keep}",
    )
    audit.record(
        conn,
        at=at,
        actor=actor,
        action=merging.MERGE_ACTION,
        subject=f"patient:{keep}",
        detail=f"from patient:{other}" + (f"; chats kept: {kept}" if kept else ""),
    )
