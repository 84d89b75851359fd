"""What the staff desk says about an action: the question before it, the answer after it,
and the reason when it is refused. Staff-facing, so English and in code."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.card_view import APPOINTMENT_STATUS, LANGUAGE_NAMES
from care.actions import FURTHEST_AHEAD, Action, Refusal, Request, Result
from care.dates import format_both_calendars, iso_local
from care.models import Appointment, Patient

NOTHING_CHANGED = "Nothing was changed."
TIME_EXAMPLE = "e.g. 2026-12-20 15:00 (or Solar Hijri 1405-09-29 15:00), clinic time"


def who(patient: Patient | None) -> str:
    if patient is None:
        return "this patient"
    return f"{patient.full_name} (patient #{patient.id})"


def when(appointment: Appointment, tz: ZoneInfo) -> str:
    return f"#{appointment.id} ({iso_local(appointment.starts_at, tz)})"


def new_time(request: Request, tz: ZoneInfo) -> str:
    assert request.starts_at is not None
    local = request.starts_at.astimezone(tz)
    return f"{iso_local(request.starts_at, tz)} ({format_both_calendars(local.date())})"


def ask_for_time(request: Request, found: Result, tz: ZoneInfo) -> str:
    if request.action is Action.RESCHEDULE:
        assert found.appointment is not None
        return (
            f"New date and time for appointment {when(found.appointment, tz)} of "
            f"{who(found.patient)}?\nType it, {TIME_EXAMPLE}."
        )
    return f"Date and time of the new session for {who(found.patient)}?\nType it, {TIME_EXAMPLE}."


def question(request: Request, found: Result, tz: ZoneInfo) -> str:
    """The confirmation question for a request the rules allow."""
    patient, appointment = found.patient, found.appointment
    if request.action is Action.RESCHEDULE:
        assert appointment is not None
        return (
            f"Move appointment {when(appointment, tz)} of {who(patient)} to "
            f"{new_time(request, tz)}?\nIts pending care messages are planned again for the new "
            "time, and the patient is told."
        )
    if request.action is Action.ADD_SESSION:
        return (
            f"Add a session for {who(patient)} on {new_time(request, tz)}?\nThe course is "
            "numbered again, and the follow-up moves to the last session."
        )
    if request.action is Action.LANGUAGE:
        assert patient is not None and request.language is not None
        old = LANGUAGE_NAMES.get(patient.language, patient.language)
        new = LANGUAGE_NAMES[request.language]
        return f"Change the language of {who(patient)} from {old} to {new}?"
    if request.action is Action.PAUSE:
        return f"Pause all care messages to {who(patient)}? Nothing is sent until you resume them."
    if request.action is Action.RESUME:
        return f"Resume care messages to {who(patient)}? Those still useful go out now."
    assert appointment is not None
    return {
        Action.CANCEL: f"Cancel appointment {when(appointment, tz)} of {who(patient)}?\nIts "
        "pending care messages are cancelled, and the patient is told.",
        Action.DONE: f"Mark appointment {when(appointment, tz)} of {who(patient)} done now?\n"
        "The after-care message goes out at once.",
        Action.NO_SHOW: f"Mark appointment {when(appointment, tz)} of {who(patient)} as a "
        "no-show?\nIts pending care messages are cancelled.",
    }[request.action]


def outcome(request: Request, result: Result, tz: ZoneInfo) -> str:
    """One line saying what was done."""
    patient, appointment = result.patient, result.appointment
    if request.action is Action.RESCHEDULE:
        assert appointment is not None
        return f"✅ Appointment #{appointment.id} moved to {iso_local(appointment.starts_at, tz)}."
    if request.action is Action.ADD_SESSION:
        assert appointment is not None
        return (
            f"✅ Session added: appointment #{appointment.id}, "
            f"{iso_local(appointment.starts_at, tz)} (session {appointment.session_number} of "
            f"{appointment.session_count})."
        )
    if request.action is Action.LANGUAGE:
        assert patient is not None
        return f"✅ Language changed to {LANGUAGE_NAMES.get(patient.language, patient.language)}."
    if request.action is Action.PAUSE:
        return "✅ Care messages paused."
    if request.action is Action.RESUME:
        return "✅ Care messages resumed."
    assert appointment is not None
    return {
        Action.CANCEL: f"✅ Appointment #{appointment.id} cancelled.",
        Action.DONE: f"✅ Appointment #{appointment.id} done; after-care is on its way.",
        Action.NO_SHOW: f"✅ Appointment #{appointment.id} marked as a no-show.",
    }[request.action]


def refusal(request: Request, result: Result, tz: ZoneInfo) -> str:
    """Why the request cannot go ahead, and that nothing changed."""
    return f"{_reason(request, result, tz)} {NOTHING_CHANGED}"


def _reason(request: Request, result: Result, tz: ZoneInfo) -> str:
    appointment = result.appointment
    match result.refusal:
        case Refusal.NOT_FOUND if request.appointment_id is not None and result.patient:
            return f"There is no appointment #{request.appointment_id}."
        case Refusal.NOT_FOUND:
            return f"There is no patient #{request.patient_id}."
        case Refusal.WRONG_PATIENT:
            return "This button does not belong to that patient's record."
        case Refusal.PATIENT_ERASED:
            return f"The records of patient #{request.patient_id} were erased."
        case Refusal.NOT_BOOKED:
            assert appointment is not None
            status = APPOINTMENT_STATUS[appointment.status]
            return f"Appointment #{appointment.id} is already {status}."
        case Refusal.IN_PAST:
            return f"{new_time(request, tz)} has already passed; give a future date and time."
        case Refusal.TOO_FAR:
            return f"That is more than {FURTHEST_AHEAD.days} days away; check the year."
        case Refusal.NOT_STARTED:
            assert appointment is not None
            return (
                f"Appointment {when(appointment, tz)} has not started yet; a no-show can be "
                "recorded only after its start."
            )
        case Refusal.SAME_TIME:
            return f"{who(result.patient)} already has a session booked at {new_time(request, tz)}."
        case Refusal.UNCHANGED:
            return _unchanged(request, result)
        case Refusal.UNKNOWN_LANGUAGE:
            return f"The bot speaks {' and '.join(LANGUAGE_NAMES.values())} only."
    raise AssertionError(f"no wording for {result.refusal}")


def _unchanged(request: Request, result: Result) -> str:
    if request.action is Action.LANGUAGE:
        return f"{who(result.patient)} already has that language."
    if request.action is Action.PAUSE:
        return f"The messages of {who(result.patient)} are already paused."
    return f"The messages of {who(result.patient)} are not paused."
