"""A linked patient wrote to the bot: whether it goes to staff, and what the patient is told.

Each message is recorded by kind and time only (never its words: those go to the staff chat
and nowhere else). At most RELAY_LIMIT messages in RELAY_WINDOW reach staff one by one; the
rest of a flood is counted on one notice, so a patient who types in bursts cannot bury the
staff chat.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from care.core.clock import to_epoch
from care.core.models import Appointment, Patient, PatientStatus
from care.db import relayed
from care.db.connection import transaction
from care.people.patient_choices import linked_patient
from care.relay.next_visit import next_appointment

RELAY_LIMIT = 8
RELAY_WINDOW = timedelta(minutes=15)
# The patient is told "it reached the clinic" once in this long, not after every message.
ACK_EVERY = timedelta(minutes=10)
KINDS = frozenset({"text", "photo", "voice"})


class Route(StrEnum):
    RELAY = "relay"  # goes to staff as its own message
    FLOOD_STARTS = "flood_starts"  # the first one over the limit: a notice to staff
    HELD = "held"  # counted on the notice already posted


@dataclass(frozen=True)
class Inbound:
    patient: Patient
    relayed_id: int
    route: Route
    acknowledge: bool  # tell the patient it reached the clinic
    next_visit: Appointment | None
    flood_id: int | None = None  # the notice that counts the held messages
    held: int = 0  # messages held in this window, this one included


def take_message(
    conn: sqlite3.Connection, channel: str, chat_id: int, kind: str, now: datetime
) -> Inbound | None:
    """Record a message from the patient linked to `chat_id` on `channel`; None for anyone
    else."""
    if kind not in KINDS:
        raise ValueError(f"cannot relay a {kind!r} message")
    at = to_epoch(now)
    window_start = at - int(RELAY_WINDOW.total_seconds())
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        if patient is None or patient.status is PatientStatus.ERASED:
            return None
        counts = relayed.inbound_since(conn, patient.id, window_start)
        recent = relayed.inbound_since(conn, patient.id, at - int(ACK_EVERY.total_seconds()))
        acknowledge = not any(recent.get(k, 0) for k in KINDS)
        visit = next_appointment(conn, patient.id, now)
        if sum(counts.get(k, 0) for k in KINDS) < RELAY_LIMIT:
            relayed_id = relayed.add(conn, patient_id=patient.id, direction="in", kind=kind, now=at)
            return Inbound(patient, relayed_id, Route.RELAY, acknowledge, visit)
        held_id = relayed.add(conn, patient_id=patient.id, direction="in", kind="held", now=at)
        held = counts.get("held", 0) + 1
        flood_id = relayed.latest_flood(conn, patient.id, window_start)
        if flood_id is None:
            flood_id = relayed.add(
                conn, patient_id=patient.id, direction="in", kind="flood", now=at
            )
            return Inbound(
                patient, held_id, Route.FLOOD_STARTS, True, visit, flood_id=flood_id, held=held
            )
        return Inbound(patient, held_id, Route.HELD, False, visit, flood_id=flood_id, held=held)
