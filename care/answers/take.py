"""A patient's one-tap answer under a care message: checked, recorded, and passed to staff
when a human is needed.

The button names only the message and the answer (care/answers/codec.py); whether the presser may
answer it is decided here, from the database, every time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.answers.codec import AnswerButton
from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.core.models import AlertKind, AppointmentStatus, CareMessage, MessageState, Patient
from care.core.reasons import Reason
from care.db import alerts, appointments, audit, messages
from care.db.connection import transaction
from care.people.patient_choices import linked_patient
from care.schedule.protocol import STOPS_REPEATS, URGENT, CareProtocol

# One kind for each answer in care.protocol.NEEDS_HUMAN.
ALERT_FOR_ANSWER: dict[str, AlertKind] = {
    "blood_thinner": AlertKind.BLOOD_THINNER,
    "another_time": AlertKind.ANOTHER_TIME,
    "took_painkiller": AlertKind.TOOK_PAINKILLER,
    "still_symptoms": AlertKind.STILL_SYMPTOMS,
    "something_wrong": AlertKind.SOMETHING_WRONG,
    "book_me": AlertKind.BOOK_ME,
    "rebook": AlertKind.REBOOK,
    "score_1": AlertKind.LOW_SATISFACTION,
    "score_2": AlertKind.LOW_SATISFACTION,
}

_GONE = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


class AnswerOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    STALE = "stale"  # the message or its appointment changed since the button was sent
    REFUSED = "refused"  # not the presser's message, no such message, or not one of its answers


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    patient: Patient | None = None  # the presser, when they are a linked patient
    alert_raised: bool = False


def record_answer(
    conn: sqlite3.Connection,
    button: AnswerButton,
    *,
    chat_id: int,
    protocol: CareProtocol,
    now: datetime,
    channel: str = TELEGRAM,
) -> AnswerResult:
    """Record `button`'s answer if `chat_id` is the linked patient who received that message
    and the message still stands; raise an alert to staff when the answer needs a human.
    Anything else changes nothing."""
    with transaction(conn):
        patient = linked_patient(conn, chat_id, channel)
        message = messages.get(conn, button.message_id)
        if patient is None or message is None or message.patient_id != patient.id:
            return AnswerResult(AnswerOutcome.REFUSED, patient)
        if not _offered(protocol, message.step, button.answer):
            return AnswerResult(AnswerOutcome.REFUSED, patient)
        if message.answer is not None:
            return AnswerResult(AnswerOutcome.ALREADY_ANSWERED, patient)
        if not _still_current(conn, message, protocol):
            return AnswerResult(AnswerOutcome.STALE, patient)
        if not messages.record_answer(conn, message.id, button.answer, to_epoch(now)):
            return AnswerResult(AnswerOutcome.ALREADY_ANSWERED, patient)
        raised = _alert_staff(conn, message, button.answer, now)
        if button.answer in STOPS_REPEATS:
            _stop_repeating(conn, message, now)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=f"patient:{patient.id}",
            action="answer",
            subject=f"message:{message.id}",
            detail=button.answer,
        )
    return AnswerResult(AnswerOutcome.RECORDED, patient, raised)


def _offered(protocol: CareProtocol, step_key: str, answer: str) -> bool:
    step = next((s for s in protocol.steps if s.key == step_key), None)
    return step is not None and answer in step.answers


def _still_current(conn: sqlite3.Connection, message: CareMessage, protocol: CareProtocol) -> bool:
    """Sent, and its appointment neither cancelled, missed nor moved since; a message about
    a no-show (a step `after = "no_show"`) stands while the session stays a no-show."""
    if message.state is not MessageState.SENT:
        return False
    appointment = appointments.get(conn, message.appointment_id)
    if appointment is None:
        return False
    if message.step in {step.key for step in protocol.after("no_show")}:
        return appointment.status is AppointmentStatus.NO_SHOW
    if appointment.status in _GONE:
        return False
    return message.sent_for_start is None or message.sent_for_start == appointment.starts_at


def _alert_staff(
    conn: sqlite3.Connection, message: CareMessage, answer: str, now: datetime
) -> bool:
    kind = ALERT_FOR_ANSWER.get(answer)
    if kind is None:
        return False
    alert_id = alerts.raise_once(
        conn,
        kind=kind,
        dedupe_key=f"answer:{message.id}",
        now=to_epoch(now),
        patient_id=message.patient_id,
        appointment_id=message.appointment_id,
        urgent=answer in URGENT,
    )
    return alert_id is not None


def _stop_repeating(conn: sqlite3.Connection, message: CareMessage, now: datetime) -> None:
    """ "Stop these reminders": the next repetition of this step, already planned when this one
    was sent, is cancelled, and none is planned after it (care/schedule/message_life.py). "Not
    now" is not handled here: it declines only the reminder it answers."""
    messages.cancel_pending(
        conn,
        message.appointment_id,
        reason=Reason.STOPPED_REMINDERS,
        now=to_epoch(now),
        steps=frozenset({message.step}),
    )
