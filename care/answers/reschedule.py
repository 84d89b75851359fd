"""A patient's request for another time: asked under a care message that offers
`another_time` (pre-care, day-of), answered with the days and parts of the day that suit them,
sent to staff as one alert.

Opening the picker changes nothing; Send records the answer on the care message, stores the
choices (in place of an earlier request for the same session), and raises the alert in one
transaction. A second request for the same session replaces the earlier choices: the earlier
alert, if still open, is closed and a new one carries the new choices, so staff have one open
alert per session and it shows the latest choices.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.core.models import (
    AlertKind,
    Appointment,
    AppointmentStatus,
    CareMessage,
    MessageState,
    Patient,
)
from care.db import alert_owners, alerts, appointments, audit, messages
from care.db import reschedule_requests as requests
from care.db.connection import transaction
from care.people.patient_choices import linked_patient
from care.schedule.day_parts import Choice, may_offer, to_choices
from care.schedule.protocol import CareProtocol
from care.schedule.working_time import WorkingTime

ANOTHER_TIME = "another_time"


class RequestOutcome(StrEnum):
    MAY_ASK = "may_ask"  # the picker may be shown
    SENT = "sent"
    REPLACED = "replaced"  # sent, in place of an earlier request for the same session
    ALREADY_ANSWERED = "already_answered"  # this message was answered already
    PAST = "past"  # the session has begun, or is over
    CANCELLED = "cancelled"  # cancelled or missed
    MOVED = "moved"  # moved since the message was sent
    OUTDATED = "outdated"  # a choice the picker no longer offers (the days moved on)
    REFUSED = "refused"  # not the presser's message, not sent, or it offers no other time


@dataclass(frozen=True)
class RequestResult:
    outcome: RequestOutcome
    patient: Patient | None = None
    appointment: Appointment | None = None


def may_ask(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    chat_id: int,
    protocol: CareProtocol,
    now: datetime,
    channel: str = TELEGRAM,
) -> RequestResult:
    """Whether the presser may ask for another time for this message's session now."""
    patient = linked_patient(conn, chat_id, channel)
    message = messages.get(conn, message_id)
    if patient is None or message is None or message.patient_id != patient.id:
        return RequestResult(RequestOutcome.REFUSED, patient)
    if message.state is not MessageState.SENT or not _offers(protocol, message.step):
        return RequestResult(RequestOutcome.REFUSED, patient)
    if message.answer is not None:
        return RequestResult(RequestOutcome.ALREADY_ANSWERED, patient)
    appointment = appointments.get(conn, message.appointment_id)
    if appointment is None:
        return RequestResult(RequestOutcome.REFUSED, patient)
    return RequestResult(_standing(message, appointment, now), patient, appointment)


def send(
    conn: sqlite3.Connection,
    message_id: int,
    choices: Iterable[Choice],
    *,
    chat_id: int,
    protocol: CareProtocol,
    working: WorkingTime,
    now: datetime,
    channel: str = TELEGRAM,
) -> RequestResult:
    """Record the request with `choices` (at least one, each offered now) if the presser may
    still ask; anything else changes nothing."""
    chosen = sorted(set(choices), key=Choice.sort_key)
    with transaction(conn):
        found = may_ask(
            conn, message_id, chat_id=chat_id, protocol=protocol, now=now, channel=channel
        )
        if found.outcome is not RequestOutcome.MAY_ASK:
            return found
        if not chosen or not all(may_offer(choice, working, now) for choice in chosen):
            return RequestResult(RequestOutcome.OUTDATED, found.patient, found.appointment)
        assert found.patient is not None and found.appointment is not None
        if not messages.record_answer(conn, message_id, ANOTHER_TIME, to_epoch(now)):
            return RequestResult(RequestOutcome.ALREADY_ANSWERED, found.patient)
        replaced = _store(conn, found.appointment, message_id, chosen, now)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=f"patient:{found.patient.id}",
            action="answer",
            subject=f"message:{message_id}",
            detail=f"{ANOTHER_TIME} ({len(chosen)} choices)",
        )
    outcome = RequestOutcome.REPLACED if replaced else RequestOutcome.SENT
    return RequestResult(outcome, found.patient, found.appointment)


def choices_of_alert(conn: sqlite3.Connection, alert_id: int) -> list[Choice]:
    """The choices an another-time alert carries; none for an alert raised without them."""
    stored = requests.for_alert(conn, alert_id)
    return [] if stored is None else to_choices(stored.choices)


def _store(
    conn: sqlite3.Connection,
    appointment: Appointment,
    message_id: int,
    chosen: list[Choice],
    now: datetime,
) -> bool:
    """Store the request and raise its alert; True if it replaced an earlier one, whose
    alert is closed (or, not sent yet, withdrawn): the new alert carries the choices that
    hold."""
    request_id, earlier = requests.replace(
        conn,
        appointment_id=appointment.id,
        patient_id=appointment.patient_id,
        message_id=message_id,
        for_start=to_epoch(appointment.starts_at),
        asked_at=to_epoch(now),
        choices=[(choice.day, choice.part.value) for choice in chosen],
    )
    # The earlier alert, not sent yet, goes unsent; sent, it is closed.
    earlier_alert = earlier.alert_id if earlier is not None else None
    if earlier_alert is not None and not alerts.withdraw_undelivered(conn, earlier_alert):
        alert_owners.close(conn, earlier_alert, to_epoch(now))
    alert_id = alerts.raise_once(
        conn,
        kind=AlertKind.ANOTHER_TIME,
        dedupe_key=f"reschedule:{request_id}",
        now=to_epoch(now),
        patient_id=appointment.patient_id,
        appointment_id=appointment.id,
    )
    assert alert_id is not None  # a new request's key is new
    requests.set_alert(conn, request_id, alert_id)
    return earlier is not None


def _offers(protocol: CareProtocol, step_key: str) -> bool:
    step = next((s for s in protocol.steps if s.key == step_key), None)
    return step is not None and ANOTHER_TIME in step.answers


def _standing(message: CareMessage, appointment: Appointment, now: datetime) -> RequestOutcome:
    """Whether the session still stands as the message described it, and lies ahead."""
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        return RequestOutcome.CANCELLED
    if appointment.status is AppointmentStatus.DONE or appointment.starts_at <= now:
        return RequestOutcome.PAST
    if message.sent_for_start is not None and message.sent_for_start != appointment.starts_at:
        return RequestOutcome.MOVED
    return RequestOutcome.MAY_ASK
