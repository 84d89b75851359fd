"""What the staff desk says about an action: the question before it, the answer after it,
and the reason when it is refused, in the staff member's language (bot.staff_voice)."""

from __future__ import annotations

from bot.common.names import channel_name, language_name
from bot.common.staff_voice import Voice
from bot.desk.card_view import status_name
from care.core.models import Appointment, Patient
from care.desk.actions import Action, ActionResult, Refusal, Request
from care.schedule.horizon import BOOKING_HORIZON

_QUESTION = {
    Action.CANCEL: "desk.confirm_cancel",
    Action.DONE: "desk.confirm_done",
    Action.NO_SHOW: "desk.confirm_no_show",
}
_OUTCOME = {
    Action.CANCEL: "desk.done_cancel",
    Action.DONE: "desk.done_done",
    Action.NO_SHOW: "desk.done_no_show",
}


def who(voice: Voice, patient: Patient | None) -> str:
    if patient is None:
        return voice("desk.who_unknown")
    return voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)


def when(voice: Voice, appointment: Appointment) -> str:
    return voice("desk.appointment", appointment_id=appointment.id, starts=appointment.starts_at)


def new_time(voice: Voice, request: Request) -> str:
    assert request.starts_at is not None
    local = request.starts_at.astimezone(voice.tz)
    return voice("desk.new_time", day=local.date(), time=local.time())


def ask_for_time(voice: Voice, request: Request, found: ActionResult) -> str:
    if request.action is Action.RESCHEDULE:
        assert found.appointment is not None
        return voice(
            "desk.ask_reschedule_time",
            appointment=when(voice, found.appointment),
            who=who(voice, found.patient),
        )
    return voice("desk.ask_session_time", who=who(voice, found.patient))


def question(voice: Voice, request: Request, found: ActionResult) -> str:
    """The confirmation question for a request the rules allow."""
    patient, appointment = found.patient, found.appointment
    person = who(voice, patient)
    if request.action is Action.RESCHEDULE:
        assert appointment is not None
        return voice(
            "desk.confirm_reschedule",
            appointment=when(voice, appointment),
            who=person,
            new_time=new_time(voice, request),
        )
    if request.action is Action.ADD_SESSION:
        return voice("desk.confirm_add_session", who=person, new_time=new_time(voice, request))
    if request.action is Action.LANGUAGE:
        assert patient is not None and request.language is not None
        old, new = language_name(voice, patient.language), language_name(voice, request.language)
        return voice("desk.confirm_language", who=person, old=old, new=new)
    if request.action is Action.CHANNEL:
        assert request.channel is not None
        return voice(
            "channels.desk_confirm", who=person, channel=channel_name(voice, request.channel)
        )
    if request.action is Action.PAUSE:
        return voice("desk.confirm_pause", who=person)
    if request.action is Action.RESUME:
        return voice("desk.confirm_resume", who=person)
    assert appointment is not None
    return voice(_QUESTION[request.action], appointment=when(voice, appointment), who=person)


def outcome(voice: Voice, request: Request, result: ActionResult) -> str:
    """One line saying what was done."""
    patient, appointment = result.patient, result.appointment
    if request.action is Action.RESCHEDULE:
        assert appointment is not None
        return voice(
            "desk.done_reschedule", appointment_id=appointment.id, starts=appointment.starts_at
        )
    if request.action is Action.ADD_SESSION:
        assert appointment is not None
        return voice(
            "desk.done_add_session",
            appointment_id=appointment.id,
            starts=appointment.starts_at,
            session_number=appointment.session_number,
            session_count=appointment.session_count,
        )
    if request.action is Action.LANGUAGE:
        assert patient is not None
        return voice("desk.done_language", language=language_name(voice, patient.language))
    if request.action is Action.CHANNEL:
        assert request.channel is not None
        return voice("channels.desk_done", channel=channel_name(voice, request.channel))
    if request.action is Action.PAUSE:
        return voice("desk.done_pause")
    if request.action is Action.RESUME:
        return voice("desk.done_resume")
    assert appointment is not None
    return voice(_OUTCOME[request.action], appointment_id=appointment.id)


def refusal(voice: Voice, request: Request, result: ActionResult) -> str:
    """Why the request cannot go ahead, and that nothing changed."""
    return voice("desk.refused", reason=_reason(voice, request, result))


def _reason(voice: Voice, request: Request, result: ActionResult) -> str:
    appointment = result.appointment
    match result.refusal:
        case Refusal.NOT_FOUND if request.appointment_id is not None and result.patient:
            return voice("desk.no_appointment", appointment_id=request.appointment_id)
        case Refusal.NOT_FOUND:
            return voice("desk.no_patient", patient_id=request.patient_id)
        case Refusal.WRONG_PATIENT:
            return voice("desk.wrong_patient")
        case Refusal.PATIENT_ERASED:
            return voice("desk.patient_erased", patient_id=request.patient_id)
        case Refusal.NOT_BOOKED:
            assert appointment is not None
            status = status_name(voice, appointment.status)
            return voice("desk.not_booked", appointment_id=appointment.id, status=status)
        case Refusal.IN_PAST:
            return voice("desk.in_past", new_time=new_time(voice, request))
        case Refusal.TOO_FAR:
            return voice("desk.too_far", days=BOOKING_HORIZON.days)
        case Refusal.NOT_STARTED:
            assert appointment is not None
            return voice("desk.not_started", appointment=when(voice, appointment))
        case Refusal.SAME_TIME:
            return voice(
                "desk.same_time", who=who(voice, result.patient), new_time=new_time(voice, request)
            )
        case Refusal.UNCHANGED:
            return _unchanged(voice, request, result)
        case Refusal.UNKNOWN_LANGUAGE:
            names = [language_name(voice, lang) for lang in voice.catalog.languages]
            return voice("desk.unknown_language", languages=voice.join(names, "card.both"))
        case Refusal.NOT_LINKED:
            assert request.channel is not None
            return voice("channels.desk_not_linked", channel=channel_name(voice, request.channel))
    raise AssertionError(f"no wording for {result.refusal}")


def _unchanged(voice: Voice, request: Request, result: ActionResult) -> str:
    person = who(voice, result.patient)
    if request.action is Action.LANGUAGE:
        return voice("desk.same_language", who=person)
    if request.action is Action.CHANNEL:
        assert request.channel is not None
        return voice("channels.desk_same", who=person, channel=channel_name(voice, request.channel))
    if request.action is Action.PAUSE:
        return voice("desk.already_paused", who=person)
    return voice("desk.not_paused", who=person)
