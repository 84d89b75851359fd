"""Attacks on the sender's promises: one message in flight, honest attempt counts, waits never
cut short, nothing left claimed after a pause or a stop."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.clock import to_epoch
from care.core.models import MessageState
from care.db import messages
from care.db.worker import Database
from care.schedule.plan import CarePlan
from care.schedule.protocol import CareProtocol
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.pacing import Pacer
from jobs.retry import RetryPolicy
from tests.conftest import FakeClock
from tests.factories import linked_patient
from tests.jobs.support import (
    UNPACED,
    Alerts,
    RecordingTransport,
    alert_kinds,
    in_state,
    one_channel,
)


def _row(conn: sqlite3.Connection, step: str, chat_id: int) -> sqlite3.Row:
    row: sqlite3.Row = conn.execute(
        "SELECT m.state, m.attempts, m.wake_at FROM care_messages m"
        " JOIN patients p ON p.id = m.patient_id WHERE m.step = ? AND p.chat_id = ?",
        (step, chat_id),
    ).fetchone()
    return row


async def test_only_one_message_is_ever_in_flight(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    """With a window of one (SEND_WINDOW=1), one unanswered send at a time: one duplicate at
    most when the process dies. (Wider windows: tests/jobs/test_window.py.)"""
    for chat_id in range(600, 640):
        await db.run(
            linked_patient, plan, clock.now(), chat_id=chat_id, starts_in=timedelta(days=1)
        )  # late booking
    assert await dispatcher.deliver_due() == 40
    assert transport.most_in_flight == 1
    assert sorted(chat for chat, _ in transport.sent) == list(range(600, 640))


async def test_a_batch_takes_one_message_per_patient_in_due_order(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    """One patient's 1-second pace must not stall everyone else's messages."""
    first = await db.run(
        linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10)
    )
    second = await db.run(
        linked_patient, plan, clock.now(), chat_id=502, starts_in=timedelta(days=10)
    )
    clock.advance(days=9, hours=11, minutes=15)  # pre-care and day-of of both are due
    claims = await db.run(messages.claim_due, to_epoch(clock.now()), 10)
    assert [(c.chat_id, c.step) for c in claims] == [(501, "pre_care"), (502, "pre_care")]
    assert {c.appointment_id for c in claims} == {
        first.appointment_ids[0],
        second.appointment_ids[0],
    }


async def test_a_rate_limit_wait_is_never_cut_short_by_rounding(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2, seconds=0.6)  # pre-care is due; the clock is between two seconds
    refused_at = clock.now()
    transport.script[501] = [Outcome(SendResult.RATE_LIMITED, retry_after=2)]
    assert await dispatcher.deliver_due() == 0
    row = await db.run(_row, "pre_care", 501)
    assert row["state"] == MessageState.PENDING
    assert row["wake_at"] >= (refused_at + timedelta(seconds=2)).timestamp()
    assert row["attempts"] == 0  # Telegram refused to take it: not an attempt
    clock.advance(seconds=1.9)
    assert await dispatcher.deliver_due() == 0
    clock.advance(seconds=1.1)
    assert await dispatcher.deliver_due() == 1


async def test_rate_limits_and_quiet_hours_do_not_use_up_the_retries(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    policy = RetryPolicy()
    await db.run(linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10))
    clock.advance(days=8, hours=22)  # pre-care due, appointment still a day away
    refusals: list[Outcome | Exception] = [Outcome(SendResult.RATE_LIMITED, retry_after=1)] * 6
    failures: list[Outcome | Exception] = [Outcome(SendResult.TRANSIENT, "TimedOut")] * (
        policy.max_attempts - 1
    )
    transport.script[501] = refusals + failures
    for _ in range(6 + policy.max_attempts - 1):
        await dispatcher.deliver_due()
        clock.advance(minutes=11)
    assert await dispatcher.deliver_due() == 1  # the last allowed attempt gets through
    row = await db.run(_row, "pre_care", 501)
    assert (row["state"], row["attempts"]) == (MessageState.SENT, policy.max_attempts)
    assert await db.run(alert_kinds) == []
    assert alerts.pokes == 0


async def _three_patients_due(db: Database, plan: CarePlan, clock: FakeClock) -> None:
    """Patients in chats 501, 502 and 503, each with pre-care due now."""
    for chat_id in (501, 502, 503):
        await db.run(linked_patient, plan, clock.now(), chat_id=chat_id)
    clock.advance(days=2)


async def test_a_rate_limit_puts_the_rest_of_the_batch_back_unsent(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await _three_patients_due(db, plan, clock)
    transport.script[501] = [Outcome(SendResult.RATE_LIMITED, retry_after=30)]
    assert await dispatcher.deliver_due() == 0
    assert transport.tried == [501]  # nothing else was offered to Telegram during the wait
    assert await db.run(in_state, MessageState.SENDING) == 0
    for chat_id in (502, 503):
        row = await db.run(_row, "pre_care", chat_id)
        assert row["state"] == MessageState.PENDING
        assert row["attempts"] == 0
        assert row["wake_at"] >= to_epoch(clock.now()) + 30
    clock.advance(seconds=30)
    assert await dispatcher.deliver_due() == 3


async def test_stop_lets_the_send_in_flight_finish_and_puts_the_rest_back(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await _three_patients_due(db, plan, clock)
    transport.gate = asyncio.Event()
    sending = asyncio.create_task(dispatcher.deliver_due())
    await transport.started.wait()  # the first message is with "Telegram"
    stopping = asyncio.create_task(dispatcher.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # stop waits for the send in flight
    transport.gate.set()
    await stopping
    assert await sending == 1
    assert await db.run(in_state, MessageState.SENT) == 1
    assert await db.run(in_state, MessageState.SENDING) == 0
    assert await dispatcher.deliver_due() == 0  # a stopped sender sends nothing more


async def test_a_blocked_patients_other_messages_are_held_without_another_try(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    await db.run(linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10))
    await db.run(linked_patient, plan, clock.now(), chat_id=502, starts_in=timedelta(days=10))
    clock.advance(days=9, hours=11, minutes=15)  # 21:45 Tehran: pre-care and day-of are due
    transport.script[501] = [Outcome(SendResult.UNREACHABLE, "Forbidden: bot was blocked")]
    assert await dispatcher.deliver_due() == 2
    assert transport.tried.count(501) == 1
    assert sorted(chat for chat, _ in transport.sent) == [502, 502]
    assert await db.run(alert_kinds) == ["unreachable"]
    assert alerts.pokes == 1
    assert await db.run(in_state, MessageState.PENDING) >= 2


async def test_a_surprise_from_the_transport_leaves_nothing_claimed(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2)
    transport.script[501] = [RuntimeError("the HTTP client was closed")]
    assert await dispatcher.deliver_due() == 0
    assert await db.run(in_state, MessageState.SENDING) == 0
    clock.advance(minutes=1)
    assert await dispatcher.deliver_due() == 1


async def test_recovery_puts_back_only_what_was_claimed(
    dispatcher: Dispatcher, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2)
    await db.run(messages.claim_due, to_epoch(clock.now()), 10)  # then the process "dies"
    assert await db.run(in_state, MessageState.SENDING) == 1
    assert await dispatcher.recover() == 1
    assert await db.run(in_state, MessageState.SENDING) == 0
    assert await dispatcher.recover() == 0


async def test_a_message_whose_step_was_removed_from_the_protocol_is_skipped(
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    """The clinic may drop a step from protocol.toml while messages for it are planned."""
    await db.run(linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10))
    clock.advance(days=9, hours=11, minutes=15)  # pre-care and day-of are due
    trimmed = CareProtocol(
        plan.protocol.appointment_minutes,
        tuple(step for step in plan.protocol.steps if step.key != "pre_care"),
    )
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    dispatcher = Dispatcher(
        db=db,
        channels=one_channel(transport, Pacer(per_second=1e6, private=UNPACED, group=UNPACED)),
        composer=Composer(catalog, trimmed, Clinic("C", "-", "-", "115"), plan.tz),
        plan=CarePlan(trimmed, plan.tz, plan.quiet),
        clock=clock,
        on_alert=alerts,
    )
    assert await dispatcher.deliver_due() == 1  # day-of still goes out
    row = await db.run(_row, "pre_care", 501)
    assert row["state"] == MessageState.SKIPPED
    assert await db.run(in_state, MessageState.SENDING) == 0


async def test_a_busy_chat_waits_without_holding_up_the_others(
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    """Patient 501 just had three messages (a welcome and replies): their care message waits
    for the chat's window, and patient 502's goes out first."""
    pacer = Pacer(monotonic=lambda: clock.now().timestamp(), sleep=_no_sleep)
    for _ in range(3):
        await pacer.wait_turn(501)
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    dispatcher = Dispatcher(
        db=db,
        channels=one_channel(transport, pacer),
        composer=Composer(catalog, plan.protocol, Clinic("C", "-", "-", "115"), plan.tz),
        plan=plan,
        clock=clock,
        on_alert=alerts,
    )
    for chat_id in (501, 502):
        await db.run(linked_patient, plan, clock.now(), chat_id=chat_id)
    clock.advance(days=2)
    for _ in range(3):
        await pacer.wait_turn(501)  # the chat's window is full again, right now
    assert await dispatcher.deliver_due() == 2
    assert transport.tried == [502, 501]  # (the rate limiter makes 501's wait its turn)


async def _no_sleep(_seconds: float) -> None:
    return None
