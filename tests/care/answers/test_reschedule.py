"""A request for another time in the domain: who may ask, what Send stores, and how a second
request replaces the first with one open alert."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from care.answers.reschedule import RequestOutcome, RequestResult, choices_of_alert, may_ask, send
from care.core.clock import to_epoch
from care.db import alerts
from care.schedule.day_parts import Choice, DayPart, offered_days
from care.schedule.plan import CarePlan
from care.schedule.working_time import OpeningHours, WorkingTime, parse_working_days
from tests.conftest import TEHRAN, FakeClock
from tests.factories import dump, linked_patient, of_step, send_due

SARA, REZA = 601, 602
CLINIC = WorkingTime(parse_working_days("sat-thu"), OpeningHours.parse("09:00-18:00"), TEHRAN)


@pytest.fixture
def sent(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> tuple[int, int]:
    """Sara's pre-care and day-of messages, sent; their ids."""
    enrolment = linked_patient(conn, plan, clock.now(), chat_id=SARA)
    linked_patient(conn, plan, clock.now(), chat_id=REZA, name="Reza Karimi")
    clock.advance(days=3, hours=-2)
    while send_due(conn, plan, clock.now()):  # one message a patient at a time
        pass
    appointment = enrolment.appointment_ids[0]
    (pre_care,) = of_step(conn, appointment, "pre_care")
    (day_of,) = of_step(conn, appointment, "day_of")
    return pre_care.id, day_of.id


def _send(
    conn: sqlite3.Connection, plan: CarePlan, now: datetime, message: int, *choices: Choice
) -> RequestResult:
    return send(
        conn, message, choices, chat_id=SARA, protocol=plan.protocol, working=CLINIC, now=now
    )


def _open(conn: sqlite3.Connection) -> list[tuple[int, bool]]:
    rows = conn.execute("SELECT id, closed_at IS NULL FROM alerts ORDER BY id").fetchall()
    return [(row[0], bool(row[1])) for row in rows]


def test_send_stores_the_choices_and_raises_one_alert(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, sent: tuple[int, int]
) -> None:
    pre_care, _ = sent
    days = offered_days(CLINIC, clock.now())
    wanted = [Choice(days[1], DayPart.EVENING), Choice(days[0], DayPart.MORNING)]
    assert _send(conn, plan, clock.now(), pre_care, *wanted).outcome is RequestOutcome.SENT
    ((alert_id, is_open),) = _open(conn)
    assert is_open and choices_of_alert(conn, alert_id) == sorted(wanted, key=Choice.sort_key)
    answered = conn.execute("SELECT answer FROM care_messages WHERE id = ?", (pre_care,))
    assert answered.fetchone()[0] == "another_time"


def test_a_second_request_before_the_first_alert_went_replaces_it_unsent(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, sent: tuple[int, int]
) -> None:
    pre_care, day_of = sent
    days = offered_days(CLINIC, clock.now())
    _send(conn, plan, clock.now(), pre_care, Choice(days[0], DayPart.MORNING))
    second = _send(conn, plan, clock.now(), day_of, Choice(days[2], DayPart.AFTERNOON))
    assert second.outcome is RequestOutcome.REPLACED
    ((alert_id, is_open),) = _open(conn)
    assert is_open and choices_of_alert(conn, alert_id) == [Choice(days[2], DayPart.AFTERNOON)]


def test_a_second_request_after_the_first_alert_went_closes_it(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, sent: tuple[int, int]
) -> None:
    pre_care, day_of = sent
    days = offered_days(CLINIC, clock.now())
    _send(conn, plan, clock.now(), pre_care, Choice(days[0], DayPart.MORNING))
    (first,) = alerts.undelivered(conn)
    alerts.mark_delivered(conn, first.id, to_epoch(clock.now()))
    _send(conn, plan, clock.now(), day_of, Choice(days[1], DayPart.MORNING))
    assert _open(conn) == [(first.id, False), (first.id + 1, True)]
    assert choices_of_alert(conn, first.id) == []


def test_nothing_changes_for_a_stranger_an_old_choice_or_nothing_chosen(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, sent: tuple[int, int]
) -> None:
    pre_care, _ = sent
    days = offered_days(CLINIC, clock.now())
    before = dump(conn)
    stranger = send(
        conn,
        pre_care,
        [Choice(days[0], DayPart.MORNING)],
        chat_id=REZA,
        protocol=plan.protocol,
        working=CLINIC,
        now=clock.now(),
    )
    assert stranger.outcome is RequestOutcome.REFUSED
    today = clock.now().astimezone(TEHRAN).date()
    for choices in ([], [Choice(today, DayPart.MORNING)], [Choice(days[-1], DayPart.EVENING)]):
        result = _send(conn, plan, clock.now(), pre_care, *choices)
        if choices and choices[0].day == days[-1]:
            assert result.outcome is RequestOutcome.SENT  # the last offered day is fine
            before = dump(conn)
            continue
        assert result.outcome is RequestOutcome.OUTDATED
        assert dump(conn) == before
    assert (
        may_ask(conn, pre_care, chat_id=SARA, protocol=plan.protocol, now=clock.now()).outcome
        is RequestOutcome.ALREADY_ANSWERED
    )
