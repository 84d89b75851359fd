"""A clinic's activity at chosen moments, for the /stats tests: sessions done or missed, care
messages sent, failed and answered, alerts raised and taken, satisfaction scores.

Patients are enrolled through the domain's use case (tests/factories.py); what happens to them
afterwards is written with the stores the bot's own use cases call, each at the moment given,
so a test knows by construction which month every activity belongs to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from care.answers.satisfaction import EVENT
from care.core.clock import to_epoch
from care.core.models import AlertKind, AppointmentStatus, MessageState
from care.db import alert_owners, alerts, appointments, messages
from care.schedule.after_event import plan_after_event
from care.schedule.plan import CarePlan
from tests.factories import enrolled, of_step

BOOKED_AHEAD = timedelta(days=2)


def session(
    conn: sqlite3.Connection,
    plan: CarePlan,
    at: datetime,
    status: AppointmentStatus = AppointmentStatus.DONE,
) -> int:
    """A patient's single session starting `at`, booked two days before and then `status`;
    its appointment id."""
    enrolment = enrolled(conn, plan, at - BOOKED_AHEAD, starts_at=at)
    (appointment_id,) = enrolment.appointment_ids
    appointments.set_status(conn, appointment_id, status)
    return appointment_id


def satisfaction_question(
    conn: sqlite3.Connection, plan: CarePlan, appointment_id: int, at: datetime
) -> int:
    """The satisfaction question a clean recovery from the session plans (`at`)."""
    appointment = appointments.get(conn, appointment_id)
    assert appointment is not None
    (message_id,) = plan_after_event(conn, appointment, EVENT, plan=plan, now=at)
    return message_id


def step_message(conn: sqlite3.Connection, appointment_id: int, step: str) -> int:
    (message,) = of_step(conn, appointment_id, step)
    return message.id


def sent(conn: sqlite3.Connection, message_id: int, at: datetime) -> None:
    """The care message went out `at`."""
    _through_sending(conn, message_id, MessageState.SENT, "delivered", at)


def failed(conn: sqlite3.Connection, message_id: int, at: datetime) -> None:
    """The care message was given up on `at`."""
    _through_sending(conn, message_id, MessageState.FAILED, "gave_up:TimedOut", at)


def answered(
    conn: sqlite3.Connection,
    message_id: int,
    answer: str,
    at: datetime,
    comment: str | None = None,
) -> None:
    assert messages.record_answer(conn, message_id, answer, to_epoch(at))
    if comment is not None:
        messages.set_comment(conn, message_id, comment)


def alert(
    conn: sqlite3.Connection,
    kind: AlertKind,
    at: datetime,
    taken_after: timedelta | None = None,
) -> int:
    """An alert raised `at`, taken `taken_after` later by a member of staff (or never)."""
    alert_id = alerts.raise_once(
        conn, kind=kind, dedupe_key=f"activity:{kind}:{to_epoch(at)}:{_serial()}", now=to_epoch(at)
    )
    assert alert_id is not None
    if taken_after is not None:
        assert alert_owners.take(
            conn, alert_id, 7, "Mina", to_epoch(at + taken_after), channel="telegram"
        )
    return alert_id


def _through_sending(
    conn: sqlite3.Connection, message_id: int, to_state: MessageState, reason: str, at: datetime
) -> None:
    now = to_epoch(at)
    for from_state, state in (
        (MessageState.PENDING, MessageState.SENDING),
        (MessageState.SENDING, to_state),
    ):
        assert messages.transition(
            conn, message_id, from_state=from_state, to_state=state, reason=reason, now=now
        )


_COUNTER = iter(range(1, 10**9))


def _serial() -> int:
    return next(_COUNTER)


@dataclass
class Month:
    """What a generated month holds, counted while it was made."""

    sessions_done: int = 0
    no_shows: int = 0
    messages_sent: int = 0
    messages_failed: int = 0
    pre_care_sent: int = 0
    pre_care_acknowledged: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    take_minutes: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    comments: int = 0


def month_of_activity(
    conn: sqlite3.Connection, plan: CarePlan, first_day: datetime, *, sessions: int = 6
) -> Month:
    """A month from `first_day` (the clinic's midnight, in UTC) with `sessions` sessions a few
    days apart, at 10:00 clinic time (06:30 UTC), all inside the month: every other one's
    pre-care acknowledged, the fourth a no-show, one care message failed, an alert of a few
    kinds taken 5, 10 and 20 minutes after it came and one never taken, and satisfaction
    scores of 5, 4 and 2 (one with a comment)."""
    made = Month()
    for index in range(sessions):
        starts = first_day + timedelta(days=2 + 4 * index, hours=10)
        missed = index == 3
        appointment_id = session(
            conn, plan, starts, AppointmentStatus.NO_SHOW if missed else AppointmentStatus.DONE
        )
        made.no_shows += missed
        made.sessions_done += not missed
        pre_care = step_message(conn, appointment_id, "pre_care")
        sent(conn, pre_care, starts - timedelta(hours=26))
        made.messages_sent += 1
        made.pre_care_sent += 1
        if index % 2 == 0:
            answered(conn, pre_care, "understood", starts - timedelta(hours=25))
            made.pre_care_acknowledged += 1
        if missed:
            continue
        post_care = step_message(conn, appointment_id, "post_care")
        if index == 1:
            failed(conn, post_care, starts + timedelta(hours=1))
            made.messages_failed += 1
        else:
            sent(conn, post_care, starts + timedelta(hours=1))
            made.messages_sent += 1
    raised = (
        (AlertKind.BLOOD_THINNER, timedelta(minutes=5)),
        (AlertKind.BLOOD_THINNER, timedelta(minutes=20)),
        (AlertKind.SOMETHING_WRONG, timedelta(minutes=10)),
        (AlertKind.DELIVERY_FAILED, None),
    )
    for index, (kind, taken_after) in enumerate(raised):
        alert(conn, kind, first_day + timedelta(days=3 + index, hours=12), taken_after)
        made.alerts[kind.value] = made.alerts.get(kind.value, 0) + 1
        if taken_after is not None:
            made.take_minutes.append(int(taken_after.total_seconds() // 60))
    for index, score in enumerate((5, 4, 2)):
        appointment_id = session(conn, plan, first_day + timedelta(days=20 + index, hours=10))
        made.sessions_done += 1
        at = first_day + timedelta(days=24, hours=12 + index)
        question = satisfaction_question(conn, plan, appointment_id, at)
        sent(conn, question, at)
        made.messages_sent += 1
        comment = "Lovely staff" if score == 5 else None
        answered(conn, question, f"score_{score}", at, comment=comment)
        made.scores.append(score)
        made.comments += score == 5
    return made
