"""Who may answer which care message, and what an answer does."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from care.answers.codec import AnswerButton
from care.answers.take import ALERT_FOR_ANSWER, AnswerOutcome, AnswerResult, record_answer
from care.core.clock import to_epoch
from care.core.models import AlertKind, AppointmentStatus, MessageState
from care.core.reasons import Reason
from care.db import appointments, messages
from care.db.alerts import undelivered
from care.desk.journey import mark_done
from care.schedule.plan import CarePlan
from care.schedule.protocol import NEEDS_HUMAN, URGENT
from tests.conftest import FakeClock
from tests.factories import dump, linked_patient, of_step, send_due

SARA, REZA, MINA = 501, 502, 503


@pytest.fixture
def pre_care(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> int:
    """Sara's pre-care message, sent; its id."""
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    clock.advance(days=2)
    assert send_due(conn, plan, clock.now()) == ["pre_care"]
    (message,) = of_step(conn, enrolment.appointment_ids[0], "pre_care")
    return message.id


def answer(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, data: str, chat: int
) -> AnswerResult:
    """Press `<message id>:<answer>` as `chat`."""
    message_id, _, choice = data.partition(":")
    return record_answer(
        conn,
        AnswerButton(int(message_id), choice),
        chat_id=chat,
        protocol=plan.protocol,
        now=clock.now(),
    )


def test_every_answer_that_needs_a_human_has_an_alert_kind() -> None:
    assert set(ALERT_FOR_ANSWER) == NEEDS_HUMAN
    assert AlertKind.SOMETHING_WRONG in {ALERT_FOR_ANSWER[a] for a in URGENT}


def test_an_answer_is_recorded_once_and_alerts_once(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, pre_care: int
) -> None:
    first = answer(conn, plan, clock, f"{pre_care}:blood_thinner", SARA)
    assert first.outcome is AnswerOutcome.RECORDED and first.alert_raised
    assert first.patient is not None and first.patient.chat_id == SARA
    stored = messages.get(conn, pre_care)
    assert stored is not None and stored.answer == "blood_thinner"
    answered_at = conn.execute("SELECT answered_at FROM care_messages WHERE id = ?", (pre_care,))
    assert answered_at.fetchone()[0] == to_epoch(clock.now())

    clock.advance(seconds=1)
    before = dump(conn)
    for data in (f"{pre_care}:blood_thinner", f"{pre_care}:understood"):
        again = answer(conn, plan, clock, data, SARA)
        assert again.outcome is AnswerOutcome.ALREADY_ANSWERED and not again.alert_raised
    assert dump(conn) == before
    (alert,) = undelivered(conn)
    assert (alert.kind, alert.urgent) == ("blood_thinner", False)


def test_an_answer_without_a_human_raises_nothing(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, pre_care: int
) -> None:
    result = answer(conn, plan, clock, f"{pre_care}:understood", SARA)
    assert result.outcome is AnswerOutcome.RECORDED and not result.alert_raised
    assert undelivered(conn) == []


@pytest.mark.parametrize(
    ("presser", "data"),
    [
        (REZA, "{id}:understood"),  # another linked patient
        (999, "{id}:understood"),  # a stranger
        (SARA, "{id}:book_me"),  # an answer this message never offered
        (SARA, "{id}:nonsense"),
        (SARA, "424242:understood"),  # no such message
    ],
)
def test_someone_elses_or_a_forged_button_changes_nothing(
    conn: sqlite3.Connection,
    plan: CarePlan,
    clock: FakeClock,
    pre_care: int,
    presser: int,
    data: str,
) -> None:
    linked_patient(conn, plan, clock.now(), chat_id=REZA, starts_in=timedelta(days=9))
    before = dump(conn)
    result = answer(conn, plan, clock, data.format(id=pre_care), presser)
    assert result.outcome is AnswerOutcome.REFUSED
    assert dump(conn) == before


def test_a_message_not_yet_sent_cannot_be_answered(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    (check_in,) = of_step(conn, enrolment.appointment_ids[0], "check_in")
    before = dump(conn)
    result = answer(conn, plan, clock, f"{check_in.id}:something_wrong", SARA)
    assert result.outcome is AnswerOutcome.STALE
    assert dump(conn) == before


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_button_of_a_cancelled_or_missed_appointment_is_stale(
    conn: sqlite3.Connection,
    plan: CarePlan,
    clock: FakeClock,
    pre_care: int,
    status: AppointmentStatus,
) -> None:
    message = messages.get(conn, pre_care)
    assert message is not None
    appointments.set_status(conn, message.appointment_id, status)
    before = dump(conn)
    assert answer(conn, plan, clock, f"{pre_care}:another_time", SARA).outcome is (
        AnswerOutcome.STALE
    )
    assert dump(conn) == before


def test_a_button_of_a_moved_appointment_is_stale(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, pre_care: int
) -> None:
    message = messages.get(conn, pre_care)
    assert message is not None and message.sent_for_start is not None
    conn.execute(
        "UPDATE appointments SET starts_at = starts_at + 86400 WHERE id = ?",
        (message.appointment_id,),
    )
    result = answer(conn, plan, clock, f"{pre_care}:another_time", SARA)
    assert result.outcome is AnswerOutcome.STALE
    assert undelivered(conn) == []


def test_after_the_session_is_done_its_buttons_still_count(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, pre_care: int
) -> None:
    message = messages.get(conn, pre_care)
    assert message is not None
    clock.advance(days=1, hours=1)
    mark_done(conn, message.appointment_id, plan=plan, actor="test", now=clock.now())
    assert answer(conn, plan, clock, f"{pre_care}:understood", SARA).outcome is (
        AnswerOutcome.RECORDED
    )


def test_only_stop_reminders_cancels_the_next_follow_up(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    sara = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    reza = linked_patient(conn, plan, clock.now(), chat_id=REZA)
    mina = linked_patient(conn, plan, clock.now(), chat_id=MINA)
    clock.advance(days=200)  # past every step; only the follow-ups are still useful
    assert send_due(conn, plan, clock.now()) == ["follow_up"] * 3
    (sara_first, sara_next) = of_step(conn, sara.appointment_ids[0], "follow_up")
    (reza_first, reza_next) = of_step(conn, reza.appointment_ids[0], "follow_up")
    (mina_first, mina_next) = of_step(conn, mina.appointment_ids[0], "follow_up")

    booked = answer(conn, plan, clock, f"{sara_first.id}:book_me", SARA)
    declined = answer(conn, plan, clock, f"{reza_first.id}:not_now", REZA)
    stopped = answer(conn, plan, clock, f"{mina_first.id}:stop_reminders", MINA)
    assert booked.alert_raised and not declined.alert_raised and not stopped.alert_raised
    for kept in (sara_next, reza_next):  # "Not now" declines this reminder, not the next
        stored = messages.get(conn, kept.id)
        assert stored is not None and stored.state is MessageState.PENDING
    cancelled = messages.get(conn, mina_next.id)
    assert cancelled is not None and cancelled.state is MessageState.CANCELLED
    assert cancelled.reason == Reason.STOPPED_REMINDERS
    assert [a.kind for a in undelivered(conn)] == ["book_me"]
