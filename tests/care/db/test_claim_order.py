"""The claim order in a backlog: safety messages first, one send per chat at a time, and the
query still served by the schedule's indexes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from care.db import appointments, messages, patients
from care.db.connection import connect, transaction

NOW = 1_800_000_000
HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Planned:
    step: str
    due: int
    expires: int
    in_time_by: int | None


def _pre_care(start_in: int) -> list[Planned]:
    """Pre-care (and maybe day-of) for a session `start_in` seconds from now, pre-care due."""
    start = NOW + start_in
    return [Planned("pre_care", start - 26 * HOUR, start, start - DAY)]


def _day_of(start_in: int) -> Planned:
    start = NOW + start_in
    return Planned("day_of", start - 3 * HOUR, start, start - HOUR)


_SESSION_SOON = st.integers(min_value=60, max_value=26 * HOUR)  # pre-care is due now
_LATER_STEPS = st.one_of(
    st.integers(min_value=0, max_value=29 * DAY).map(
        lambda ago: Planned("follow_up", NOW - ago, NOW - ago + 30 * DAY, None)
    ),
    st.integers(min_value=0, max_value=23 * HOUR).map(
        lambda ago: Planned("post_care", NOW - ago, NOW - ago + DAY, None)
    ),
    st.integers(min_value=0, max_value=47 * HOUR).map(
        lambda ago: Planned("check_in", NOW - ago, NOW - ago + 2 * DAY, None)
    ),
)


@st.composite
def _patient_backlog(draw: st.DrawFn) -> list[Planned]:
    """One patient's due messages: maybe a session coming within a day (pre-care, maybe its
    day-of too), and any of the steps that can wait."""
    planned = draw(st.lists(_LATER_STEPS, max_size=3))
    if draw(st.booleans()):
        start_in = draw(_SESSION_SOON)
        planned += _pre_care(start_in)
        if start_in <= 3 * HOUR:
            planned.append(_day_of(start_in))
    return planned


def _seed(conn: sqlite3.Connection, backlog: list[list[Planned]]) -> None:
    with transaction(conn):
        for number, planned in enumerate(backlog):
            patient = patients.add(
                conn, full_name="P", name_key="p", language="en", phone=None, now=0
            )
            patients.link_chat(conn, patient, 1000 + number)
            for message in planned:
                appointment = appointments.add(
                    conn,
                    patient_id=patient,
                    starts_at=message.expires,
                    ends_at=message.expires + HOUR,
                    session_number=1,
                    session_count=1,
                    area=None,
                    now=0,
                )
                messages.add(
                    conn,
                    appointment_id=appointment,
                    patient_id=patient,
                    step=message.step,
                    due_at=message.due,
                    expires_at=message.expires,
                    now=0,
                    in_time_by=message.in_time_by,
                )


def _drain(conn: sqlite3.Connection, limits: list[int]) -> list[tuple[int, str]]:
    """Claim batch after batch, each batch sent (recorded) before the next is claimed, the
    way the sender's window lets a chat's next message go only after its answer; return
    (chat, step) in the order the messages were claimed."""
    order: list[tuple[int, str]] = []
    turn = 0
    while True:
        limit = limits[turn % len(limits)]
        turn += 1
        with transaction(conn):
            claims = messages.claim_due(conn, NOW, limit)
            for claim in claims:
                assert messages.record_sent(conn, claim.message_id, telegram_id=1, now=NOW)
        if not claims:
            return order
        order += [(claim.chat_id, claim.step) for claim in claims]


@settings(max_examples=60, deadline=None)
@given(
    backlog=st.lists(_patient_backlog(), min_size=1, max_size=12),
    limits=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4),
)
def test_a_pre_care_due_within_a_day_is_never_behind_a_follow_up(
    backlog: list[list[Planned]], limits: list[int]
) -> None:
    conn = connect(Path(":memory:"))
    try:
        _seed(conn, backlog)
        order = _drain(conn, limits)
    finally:
        conn.close()
    planned = sum(len(p) for p in backlog)
    assert len(order) == planned  # every due message was claimed once
    steps = [step for _, step in order]
    if "pre_care" in steps and "follow_up" in steps:
        last_pre_care = len(steps) - 1 - steps[::-1].index("pre_care")
        assert steps.index("follow_up") > last_pre_care, order
    # each chat's messages come out most urgent first: pre-care, day-of, then the rest
    for chat in {chat for chat, _ in order}:
        own = [step for c, step in order if c == chat]
        critical = [step for step in own if step in ("pre_care", "day_of")]
        assert own[: len(critical)] == critical, own


def test_a_patient_with_a_message_in_flight_gets_no_second_claim(
    conn: sqlite3.Connection,
) -> None:
    _seed(conn, [[*_pre_care(10 * HOUR), _day_of(2 * HOUR)]])
    with transaction(conn):
        first = messages.claim_due(conn, NOW, 10)
        second = messages.claim_due(conn, NOW, 10)
    assert [c.step for c in first] == ["pre_care"]
    assert second == []
    with transaction(conn):
        messages.release_interrupted(conn, NOW)  # e.g. a crash: back to pending
        again = messages.claim_due(conn, NOW, 10)
    assert [c.step for c in again] == ["pre_care"]


def test_claiming_reads_the_due_and_in_flight_indexes_not_the_whole_schedule(
    conn: sqlite3.Connection,
) -> None:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    with transaction(conn):
        messages.claim_due(conn, NOW, 25)
    conn.set_trace_callback(None)
    claim = next(statement for statement in statements if "ROW_NUMBER" in statement)
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {claim}")]
    assert any("care_messages_wake" in step for step in plan), plan
    assert any("care_messages_sending" in step for step in plan), plan
    assert not any(step.startswith("SCAN care_messages") for step in plan), plan
