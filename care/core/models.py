"""Plain records read from the database; nothing here knows about Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PatientStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # the patient asked to stop messages
    UNREACHABLE = "unreachable"  # every linked channel refused delivery (blocked, chat gone)
    ERASED = "erased"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class MessageState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; outcome not yet recorded
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Patient:
    id: int
    full_name: str
    phone: str | None
    language: str
    chat_id: int | None  # on the preferred channel
    status: PatientStatus
    channel: str | None = None  # the preferred channel's name ("telegram", "bale"); None: none


@dataclass(frozen=True)
class Appointment:
    id: int
    patient_id: int
    starts_at: datetime
    ends_at: datetime
    session_number: int
    session_count: int
    area: str | None
    status: AppointmentStatus
    course: int = 1  # a returning patient's later courses count on: 2, 3, ...


@dataclass(frozen=True)
class CareMessage:
    id: int
    appointment_id: int
    patient_id: int
    step: str
    due_at: datetime
    expires_at: datetime
    state: MessageState
    reason: str | None
    attempts: int
    sent_at: datetime | None
    answer: str | None
    sent_for_start: datetime | None = None  # the appointment start it described when sent
    comment: str | None = None  # the patient's own words after answering (satisfaction)
    channel: str | None = None  # the channel it went by (or is being tried on)


class AlertKind(StrEnum):
    """Why staff are told something; the staff desk words each kind."""

    BLOOD_THINNER = "blood_thinner"
    ANOTHER_TIME = "another_time"
    TOOK_PAINKILLER = "took_painkiller"
    STILL_SYMPTOMS = "still_symptoms"
    SOMETHING_WRONG = "something_wrong"
    BOOK_ME = "book_me"
    REBOOK = "rebook"  # missed a session and would like a new time
    LOW_SATISFACTION = "low_satisfaction"  # scored the course 1 or 2 out of 5
    INVITE_NOT_OPENED = "invite_not_opened"
    UNREACHABLE = "unreachable"
    DELIVERY_FAILED = "delivery_failed"
    PAUSED = "paused"
