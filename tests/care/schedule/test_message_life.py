"""What a delivered message sets in motion: the start it described, the next follow-up."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from care.answers.codec import AnswerButton
from care.answers.take import record_answer
from care.core.models import MessageState, PatientStatus
from care.db import messages, patients
from care.schedule import message_life
from care.schedule.plan import CarePlan
from care.schedule.protocol import parse_protocol
from tests.conftest import TEHRAN, FakeClock
from tests.factories import claim_due, linked_patient, of_step, send_due

SARA = 501


def tehran(at: datetime) -> datetime:
    return at.astimezone(TEHRAN)


def test_a_sent_message_remembers_the_start_it_described(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    (before,) = of_step(conn, enrolment.appointment_ids[0], "pre_care")
    assert before.sent_for_start is None
    clock.advance(days=2)
    send_due(conn, plan, clock.now())
    (after,) = of_step(conn, enrolment.appointment_ids[0], "pre_care")
    assert after.sent_for_start == clock.now() + timedelta(days=1)


def test_the_follow_up_repeats_every_six_months_at_ten(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    appointment = enrolment.appointment_ids[0]
    (first,) = of_step(conn, appointment, "follow_up")
    dues = [first.due_at]
    for _ in range(3):
        clock.at = dues[-1]
        assert send_due(conn, plan, clock.now())[-1] == "follow_up"
        pending = [m for m in of_step(conn, appointment, "follow_up") if m.state.value == "pending"]
        assert len(pending) == 1  # exactly one next reminder, never two
        dues.append(pending[0].due_at)
        assert pending[0].expires_at == pending[0].due_at + timedelta(days=30)
    local = [tehran(due) for due in dues]
    assert all((d.hour, d.minute) == (10, 0) for d in local)
    months = [(d.year * 12 + d.month) - (local[0].year * 12 + local[0].month) for d in local]
    assert months == [0, 6, 12, 18]


def _answer_first_pending_follow_up(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, appointment: int, answer: str
) -> None:
    """Wait for the next follow-up, let it be sent, and tap `answer` under it."""
    (due,) = [m for m in of_step(conn, appointment, "follow_up") if m.state.value == "pending"]
    clock.at = due.due_at
    assert send_due(conn, plan, clock.now()) == ["follow_up"]
    sent = messages.get(conn, due.id)
    assert sent is not None and sent.state is MessageState.SENT
    record_answer(
        conn,
        AnswerButton(sent.id, answer),
        chat_id=SARA,
        protocol=plan.protocol,
        now=clock.now(),
    )


def test_not_now_skips_only_that_reminder(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    appointment = linked_patient(conn, plan, clock.now(), chat_id=SARA).appointment_ids[0]
    for _ in range(3):
        _answer_first_pending_follow_up(conn, plan, clock, appointment, "not_now")
    chain = of_step(conn, appointment, "follow_up")
    assert [(m.state, m.answer) for m in chain] == [
        *[(MessageState.SENT, "not_now")] * 3,
        (MessageState.PENDING, None),
    ]


def test_no_repeat_after_stop_these_reminders(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    appointment = linked_patient(conn, plan, clock.now(), chat_id=SARA).appointment_ids[0]
    _answer_first_pending_follow_up(conn, plan, clock, appointment, "not_now")
    _answer_first_pending_follow_up(conn, plan, clock, appointment, "stop_reminders")
    clock.advance(days=400)
    assert send_due(conn, plan, clock.now()) == []
    states = [m.state for m in of_step(conn, appointment, "follow_up")]
    assert states == [MessageState.SENT, MessageState.SENT, MessageState.CANCELLED]


def test_no_repeat_for_a_patient_who_paused_while_it_was_being_sent(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    sara = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    appointment = sara.appointment_ids[0]
    clock.at = of_step(conn, appointment, "follow_up")[0].due_at
    (claim,) = claim_due(conn, clock.now())
    patients.set_status(conn, sara.patient_id, PatientStatus.PAUSED)  # /stop meanwhile
    message_life.record_sent(conn, claim, 1, clock.now(), plan)
    assert [m.state for m in of_step(conn, appointment, "follow_up")] == [MessageState.SENT]


def test_a_step_that_does_not_repeat_is_planned_once(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    protocol = parse_protocol(
        '[steps.pre_care]\nwhen = "start - 26h"\nexpires = "start"\nquiet_hours = "earlier"\n'
        '[steps.follow_up]\nwhen = "end + 1d"\nexpires = "due + 1d"\n',
        source="test",
    )
    once = CarePlan(protocol, plan.tz, plan.quiet)
    enrolment = linked_patient(conn, once, clock.now(), chat_id=SARA)
    clock.advance(days=4, hours=2)
    assert send_due(conn, once, clock.now()) == ["follow_up"]
    assert len(of_step(conn, enrolment.appointment_ids[0], "follow_up")) == 1


def test_the_repeat_is_planned_in_the_same_transaction_as_the_send(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If recording the send fails, no repetition is left behind."""
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    clock.at = of_step(conn, enrolment.appointment_ids[0], "follow_up")[0].due_at
    (claim,) = claim_due(conn, clock.now())

    def power_cut(*args: object, **kwargs: object) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr(messages, "add", power_cut)  # while planning the repetition
    with pytest.raises(RuntimeError):
        message_life.record_sent(conn, claim, 1, clock.now(), plan)
    states = [m.state for m in of_step(conn, enrolment.appointment_ids[0], "follow_up")]
    assert states == [MessageState.SENDING]
