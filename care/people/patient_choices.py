"""What patients decide for themselves: their language, the channel their messages go by,
pausing their messages, coming back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.core.models import AlertKind, Patient, PatientStatus
from care.db import alerts, audit, chats, patients
from care.db.connection import transaction


def linked_patient(
    conn: sqlite3.Connection, chat_id: int, channel: str = TELEGRAM
) -> Patient | None:
    """The patient whose chat on `channel` this is; None for anyone else (or an erased
    record)."""
    patient = patients.by_chat(conn, chat_id, channel)
    if patient is None or patient.status is PatientStatus.ERASED:
        return None
    return patient


def choose_language(
    conn: sqlite3.Connection,
    chat_id: int,
    language: str,
    *,
    now: datetime,
    channel: str = TELEGRAM,
) -> Patient | None:
    """Remember the patient's language for every text from now on; None if not a patient."""
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None:
            return None
        if patient.language != language:
            patients.set_language(conn, patient.id, language)
            _audit(conn, patient, "language", now, detail=language)
        return patients.get(conn, patient.id)


def linked_channels(conn: sqlite3.Connection, patient_id: int) -> tuple[str, ...]:
    """The channels the patient has a chat on, the preferred one first."""
    return tuple(chat.channel for chat in chats.of_patient(conn, patient_id))


def choose_channel(
    conn: sqlite3.Connection,
    chat_id: int,
    chosen: str,
    *,
    now: datetime,
    channel: str = TELEGRAM,
) -> Patient | None:
    """Send the patient's messages by `chosen` from the next one on; None if not a patient or
    not linked on `chosen` (a forged or stale button), and then nothing changes."""
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None:
            return None
        if patient.channel != chosen:
            if not chats.prefer(conn, patient.id, chosen):
                return None
            _audit(conn, patient, "channel", now, detail=f"{patient.channel} -> {chosen}")
        return patients.get(conn, patient.id)


@dataclass(frozen=True)
class Paused:
    patient: Patient
    alert_raised: bool  # False when the patient was already paused


def pause(
    conn: sqlite3.Connection, chat_id: int, *, now: datetime, channel: str = TELEGRAM
) -> Paused | None:
    """/stop confirmed: hold every message and tell staff once; None if not a patient."""
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None:
            return None
        if not patients.set_status(conn, patient.id, PatientStatus.PAUSED):
            return Paused(patient, alert_raised=False)
        _audit(conn, patient, "pause", now)
        alert_id = alerts.raise_once(
            conn,
            kind=AlertKind.PAUSED,
            dedupe_key=f"paused:{patient.id}:{to_epoch(now)}",
            now=to_epoch(now),
            patient_id=patient.id,
        )
        return Paused(patient, alert_raised=alert_id is not None)


@dataclass(frozen=True)
class Returned:
    patient: Patient
    resumed: bool  # the patient had paused their messages and they are back on now


def come_back(
    conn: sqlite3.Connection, chat_id: int, *, now: datetime, channel: str = TELEGRAM
) -> Returned | None:
    """A bare /start: a paused patient's messages resume, and one who could not be reached
    (they had blocked the bot) is reachable again, on this channel. None if not a patient."""
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None:
            return None
        chats.reachable_again(conn, patient.id, channel)
        was = patient.status
        if was in (PatientStatus.PAUSED, PatientStatus.UNREACHABLE):
            patients.set_status(conn, patient.id, PatientStatus.ACTIVE)
            _audit(conn, patient, "resume", now, detail=was.value)
        returned = patients.get(conn, patient.id)
    assert returned is not None
    return Returned(returned, resumed=was is PatientStatus.PAUSED)


def _audit(
    conn: sqlite3.Connection, patient: Patient, action: str, now: datetime, detail: str = ""
) -> None:
    audit.record(
        conn,
        at=to_epoch(now),
        actor=f"patient:{patient.id}",
        action=action,
        subject=f"patient:{patient.id}",
        detail=detail or None,
    )
