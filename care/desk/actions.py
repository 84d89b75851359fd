"""What staff do to a patient's record from the desk: move, cancel, close or add a session,
change the patient's language or the channel their messages go by, pause or resume their
messages.

Every action is a `Request`. `check` re-reads the record and says whether the request may go
ahead (for the confirmation prompt); `perform` checks again and makes the change in one
transaction with an audit entry, so a stale or forged button changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from care.core.clock import to_epoch
from care.core.languages import LANGUAGES
from care.core.models import Appointment, AppointmentStatus, Patient, PatientStatus
from care.core.reasons import Reason
from care.db import appointments, audit, chats, messages, patients
from care.db.connection import transaction
from care.desk.journey import DoneOutcome, mark_done
from care.schedule.after_event import plan_after_event
from care.schedule.course import (
    hand_over_last_steps,
    latest_course,
    plan_messages,
    renumber,
    session_times,
)
from care.schedule.horizon import BOOKING_HORIZON
from care.schedule.plan import CarePlan


class Action(StrEnum):
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    DONE = "done"
    NO_SHOW = "no_show"
    ADD_SESSION = "add_session"
    LANGUAGE = "language"
    PAUSE = "pause"
    RESUME = "resume"
    CHANNEL = "channel"  # the channel the patient's messages go by


APPOINTMENT_ACTIONS = frozenset({Action.RESCHEDULE, Action.CANCEL, Action.DONE, Action.NO_SHOW})


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    WRONG_PATIENT = "wrong_patient"  # the appointment is another patient's
    PATIENT_ERASED = "patient_erased"
    NOT_BOOKED = "not_booked"  # already done, cancelled or a no-show
    IN_PAST = "in_past"
    TOO_FAR = "too_far"
    NOT_STARTED = "not_started"  # a no-show before the session was due to start
    SAME_TIME = "same_time"  # a booked session already starts then
    UNCHANGED = "unchanged"  # it is already so: that language, paused, not paused
    UNKNOWN_LANGUAGE = "unknown_language"
    NOT_LINKED = "not_linked"  # the patient has no chat on that channel


@dataclass(frozen=True)
class Request:
    action: Action
    patient_id: int
    appointment_id: int | None = None  # for the actions on one appointment
    starts_at: datetime | None = None  # reschedule, add a session
    language: str | None = None  # change the language
    channel: str | None = None  # change the preferred channel


@dataclass(frozen=True)
class ActionResult:
    """How the record stands: after the action, or as found when it was refused."""

    refusal: Refusal | None
    patient: Patient | None = None
    appointment: Appointment | None = None  # the one acted on (or added)
    previous: Appointment | None = None  # the appointment before a reschedule

    @property
    def ok(self) -> bool:
        return self.refusal is None


def check(conn: sqlite3.Connection, request: Request, now: datetime) -> ActionResult:
    """Whether `request` may go ahead now, with the record as it stands; changes nothing."""
    patient = patients.get(conn, request.patient_id)
    if patient is None:
        return ActionResult(Refusal.NOT_FOUND)
    appointment = None
    if request.action in APPOINTMENT_ACTIONS:
        if request.appointment_id is None:
            return ActionResult(Refusal.NOT_FOUND, patient)
        appointment = appointments.get(conn, request.appointment_id)
        if appointment is None:
            return ActionResult(Refusal.NOT_FOUND, patient)
        if appointment.patient_id != patient.id:
            return ActionResult(Refusal.WRONG_PATIENT, patient)
    if patient.status is PatientStatus.ERASED:
        return ActionResult(Refusal.PATIENT_ERASED, patient, appointment)
    refusal = _refusal(conn, request, patient, appointment, now)
    return ActionResult(refusal, patient, appointment)


def perform(
    conn: sqlite3.Connection, request: Request, *, plan: CarePlan, actor: str, now: datetime
) -> ActionResult:
    """Check the request again and, if it may go ahead, carry it out and audit it."""
    if request.action is Action.DONE:
        return _done(conn, request, plan=plan, actor=actor, now=now)
    with transaction(conn):
        found = check(conn, request, now)
        if not found.ok:
            return found
        result = _CHANGES[request.action](conn, request, found, plan, now)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=actor,
            action=request.action.value,
            subject=_subject(request, result),
            detail=_detail(request, found),
        )
        return result


def request_on(
    conn: sqlite3.Connection,
    action: Action,
    appointment_id: int,
    *,
    starts_at: datetime | None = None,
) -> Request | None:
    """The request for `action` on an appointment staff named by its number (its patient
    read from the record); None when there is no such appointment."""
    appointment = appointments.get(conn, appointment_id)
    if appointment is None:
        return None
    return Request(action, appointment.patient_id, appointment_id, starts_at=starts_at)


# The rules: why a request may not go ahead. -----------------------------------------------


def _refusal(
    conn: sqlite3.Connection,
    request: Request,
    patient: Patient,
    appointment: Appointment | None,
    now: datetime,
) -> Refusal | None:
    paused = patient.status is PatientStatus.PAUSED
    match request.action:
        case Action.CANCEL | Action.DONE:
            return _booked(appointment)
        case Action.NO_SHOW:
            started = appointment is not None and appointment.starts_at <= now
            return _booked(appointment) or (None if started else Refusal.NOT_STARTED)
        case Action.RESCHEDULE:
            return _booked(appointment) or _new_time(conn, patient, request.starts_at, now)
        case Action.ADD_SESSION:
            return _new_time(conn, patient, request.starts_at, now)
        case Action.LANGUAGE if request.language not in LANGUAGES:
            return Refusal.UNKNOWN_LANGUAGE
        case Action.LANGUAGE:
            return Refusal.UNCHANGED if request.language == patient.language else None
        case Action.PAUSE:
            return Refusal.UNCHANGED if paused else None
        case Action.RESUME:
            return None if paused else Refusal.UNCHANGED
        case Action.CHANNEL:
            return _channel_refusal(conn, patient, request.channel)
    raise AssertionError(f"no rule for {request.action}")


def _booked(appointment: Appointment | None) -> Refusal | None:
    assert appointment is not None
    return None if appointment.status is AppointmentStatus.BOOKED else Refusal.NOT_BOOKED


def _new_time(
    conn: sqlite3.Connection, patient: Patient, starts_at: datetime | None, now: datetime
) -> Refusal | None:
    """A new start lies ahead, within reach, and not on another booked session of the patient
    (so pressing Confirm twice books nothing twice). One not typed yet is checked when it is."""
    if starts_at is None:
        return None
    if starts_at <= now:
        return Refusal.IN_PAST
    if starts_at - now > BOOKING_HORIZON:
        return Refusal.TOO_FAR
    if any(
        a.starts_at == starts_at and a.status is AppointmentStatus.BOOKED
        for a in appointments.of_patient(conn, patient.id)
    ):
        return Refusal.SAME_TIME
    return None


def _channel_refusal(
    conn: sqlite3.Connection, patient: Patient, channel: str | None
) -> Refusal | None:
    if channel not in {chat.channel for chat in chats.of_patient(conn, patient.id)}:
        return Refusal.NOT_LINKED
    return Refusal.UNCHANGED if channel == patient.channel else None


# The changes, run inside the transaction once the rules allow them. ----------------------

Change = Callable[[sqlite3.Connection, Request, ActionResult, CarePlan, datetime], ActionResult]


def _reschedule(
    conn: sqlite3.Connection, request: Request, found: ActionResult, plan: CarePlan, now: datetime
) -> ActionResult:
    """Move the session; its pending messages are cancelled and planned afresh for the new
    time (those already sent stay sent)."""
    before, starts = found.appointment, request.starts_at
    assert before is not None and starts is not None
    appointments.reschedule(
        conn,
        before.id,
        starts_at=to_epoch(starts),
        ends_at=to_epoch(starts + (before.ends_at - before.starts_at)),
    )
    messages.cancel_pending(conn, before.id, reason=Reason.RESCHEDULED, now=to_epoch(now))
    _plan_fresh(conn, before.patient_id, before.id, plan=plan, now=now)
    moved = appointments.get(conn, before.id)
    return replace(found, appointment=moved, previous=before)


def _add_session(
    conn: sqlite3.Connection, request: Request, found: ActionResult, plan: CarePlan, now: datetime
) -> ActionResult:
    """A further session of the course, in the area of the course's latest session."""
    starts = request.starts_at
    assert starts is not None and found.patient is not None
    course = appointments.of_patient(conn, found.patient.id)
    appointment_id = appointments.add(
        conn,
        patient_id=found.patient.id,
        starts_at=to_epoch(starts),
        ends_at=to_epoch(starts + timedelta(minutes=plan.protocol.appointment_minutes)),
        session_number=1,
        session_count=1,
        area=course[-1].area if course else None,
        now=to_epoch(now),
        course=latest_course(conn, found.patient.id),
    )
    _plan_fresh(conn, found.patient.id, appointment_id, plan=plan, now=now)
    return replace(found, appointment=appointments.get(conn, appointment_id))


def _plan_fresh(
    conn: sqlite3.Connection, patient_id: int, appointment_id: int, *, plan: CarePlan, now: datetime
) -> None:
    """Number the course again, plan the session's messages for where it now stands, and
    give the last-session steps to whichever session is last."""
    counted = renumber(conn, patient_id)
    session = next(a for a in counted if a.id == appointment_id)
    plan_messages(
        conn,
        appointment_id=appointment_id,
        patient_id=patient_id,
        session=session_times(session, is_last=session.id == counted[-1].id),
        plan=plan,
        now=now,
    )
    hand_over_last_steps(conn, patient_id, plan=plan, now=now)


def _close(status: AppointmentStatus, reason: Reason) -> Change:
    """Cancel or mark a no-show: the pending messages go, the course is counted again, and
    the protocol's steps after a no-show (the nudge to book again) are planned."""

    def change(
        conn: sqlite3.Connection,
        request: Request,
        found: ActionResult,
        plan: CarePlan,
        now: datetime,
    ) -> ActionResult:
        assert found.appointment is not None and found.patient is not None
        appointments.set_status(conn, found.appointment.id, status)
        messages.cancel_pending(conn, found.appointment.id, reason=reason, now=to_epoch(now))
        renumber(conn, found.patient.id)
        hand_over_last_steps(conn, found.patient.id, plan=plan, now=now)
        if status is AppointmentStatus.NO_SHOW:
            plan_after_event(conn, found.appointment, "no_show", plan=plan, now=now)
        return replace(found, appointment=appointments.get(conn, found.appointment.id))

    return change


def _change_language(
    conn: sqlite3.Connection, request: Request, found: ActionResult, plan: CarePlan, now: datetime
) -> ActionResult:
    assert request.language is not None
    patients.set_language(conn, request.patient_id, request.language)
    return replace(found, patient=patients.get(conn, request.patient_id))


def _change_channel(
    conn: sqlite3.Connection, request: Request, found: ActionResult, plan: CarePlan, now: datetime
) -> ActionResult:
    """The next message goes by this channel (the sender reads the preference at each send)."""
    assert request.channel is not None
    chats.prefer(conn, request.patient_id, request.channel)
    return replace(found, patient=patients.get(conn, request.patient_id))


def _set_status(status: PatientStatus) -> Change:
    def change(
        conn: sqlite3.Connection,
        request: Request,
        found: ActionResult,
        plan: CarePlan,
        now: datetime,
    ) -> ActionResult:
        patients.set_status(conn, request.patient_id, status)
        return replace(found, patient=patients.get(conn, request.patient_id))

    return change


_CHANGES: dict[Action, Change] = {
    Action.RESCHEDULE: _reschedule,
    Action.CANCEL: _close(AppointmentStatus.CANCELLED, Reason.CANCELLED),
    Action.NO_SHOW: _close(AppointmentStatus.NO_SHOW, Reason.NO_SHOW),
    Action.ADD_SESSION: _add_session,
    Action.LANGUAGE: _change_language,
    Action.PAUSE: _set_status(PatientStatus.PAUSED),
    Action.RESUME: _set_status(PatientStatus.ACTIVE),
    Action.CHANNEL: _change_channel,
}


def _done(
    conn: sqlite3.Connection, request: Request, *, plan: CarePlan, actor: str, now: datetime
) -> ActionResult:
    """Marking done is the journey's own rule (care.journey.mark_done), after the desk's
    checks: the record, its patient and its state."""
    found = check(conn, request, now)
    if not found.ok:
        return found
    assert request.appointment_id is not None
    done = mark_done(conn, request.appointment_id, plan=plan, actor=actor, now=now)
    if done.outcome is not DoneOutcome.DONE:
        return replace(found, refusal=Refusal.NOT_BOOKED, appointment=done.appointment)
    return replace(found, appointment=done.appointment)


def _subject(request: Request, result: ActionResult) -> str:
    if result.appointment is not None:
        return f"appointment:{result.appointment.id}"
    return f"patient:{request.patient_id}"


def _detail(request: Request, found: ActionResult) -> str | None:
    """What changed, in ids and UTC times only (never a name)."""
    if request.starts_at is not None:
        moved_from = f"from {found.appointment.starts_at.isoformat()} " if found.appointment else ""
        return f"{moved_from}to {request.starts_at.isoformat()}"
    if request.language is not None and found.patient is not None:
        return f"{found.patient.language} -> {request.language}"
    if request.channel is not None and found.patient is not None:
        return f"{found.patient.channel} -> {request.channel}"
    return None
