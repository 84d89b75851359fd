"""The in-flight window: several sends at once, never two to one chat, never more than W, a
429 or an outage pausing all of it, a stop waiting for every send, a crash costing at most W
duplicates. Time is fake: the transport moves a fake monotonic clock by the round trip."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from datetime import timedelta

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.clock import to_epoch
from care.core.models import MessageState
from care.db.worker import Database
from care.schedule.plan import CarePlan
from jobs.channels.health import ChannelHealth
from jobs.compose import Clinic, Composer, Outgoing
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.pacing import Pacer
from jobs.window import SendWindow
from tests.conftest import FakeClock
from tests.factories import linked_patient
from tests.jobs.support import UNPACED, Alerts, in_state, one_channel

ROUND_TRIP = 0.4


class NetworkTransport:
    """Answers after a round trip on a fake monotonic clock; counts what is in flight, per
    chat too. `answers` scripts the next answers (any chat); `gate` holds every answer."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[tuple[int, str]] = []
        self.tried: list[int] = []
        self.in_flight: Counter[int] = Counter()
        self.most_in_flight = 0
        self.most_per_chat = 0
        self.answers: list[Outcome] = []
        self.gate: asyncio.Event | None = None
        self._wanted = 0
        self._reached = asyncio.Event()

    def monotonic(self) -> float:
        return self.now

    async def until_in_flight(self, count: int) -> None:
        """Wait until `count` sends are out at once."""
        self._wanted = count
        await self._reached.wait()

    async def deliver(self, chat_id: int, message: Outgoing) -> Outcome:
        self.tried.append(chat_id)
        self.in_flight[chat_id] += 1
        self.most_per_chat = max(self.most_per_chat, self.in_flight[chat_id])
        self.most_in_flight = max(self.most_in_flight, sum(self.in_flight.values()))
        if self._wanted and sum(self.in_flight.values()) >= self._wanted:
            self._reached.set()
        try:
            for _ in range(5):
                await asyncio.sleep(0)  # the others get to start meanwhile
            if self.gate is not None:
                await self.gate.wait()
            self.now += ROUND_TRIP
            if self.answers:
                return self.answers.pop(0)
            self.sent.append((chat_id, message.text))
            return Outcome(SendResult.SENT, telegram_message_id=len(self.sent))
        finally:
            self.in_flight[chat_id] -= 1


def _dispatcher(
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: NetworkTransport,
    *,
    window: int,
    health: ChannelHealth | None = None,
) -> Dispatcher:
    catalog = load_catalog(DEFAULT_MESSAGES_DIR)
    return Dispatcher(
        db=db,
        channels=one_channel(
            transport, Pacer(per_second=1e6, private=UNPACED, group=UNPACED), health
        ),
        composer=Composer(catalog, plan.protocol, Clinic("C", "-", "-", "115"), plan.tz),
        plan=plan,
        clock=clock,
        on_alert=Alerts(),
        rng=random.Random(3),
        window=window,
        monotonic=transport.monotonic,
    )


async def _patients_due(db: Database, plan: CarePlan, clock: FakeClock, count: int) -> None:
    """`count` patients (chats 600...), each with pre-care due now."""
    for chat_id in range(600, 600 + count):
        await db.run(linked_patient, plan, clock.now(), chat_id=chat_id)
    clock.advance(days=2)


async def test_sends_overlap_up_to_the_window_and_never_beyond(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=4)
    await _patients_due(db, plan, clock, 40)
    assert await dispatcher.deliver_due() == 40
    # The pace over the round trip wants hundreds; the cap holds (a send's place in the
    # window lasts until its answer is recorded, so the transport may see one fewer).
    assert 3 <= transport.most_in_flight <= 4
    assert sorted(chat for chat, _ in transport.sent) == list(range(600, 640))
    assert await db.run(in_state, MessageState.SENDING) == 0


async def test_one_chat_never_has_two_sends_at_once_and_keeps_its_order(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=8)
    await db.run(linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10))
    for chat_id in range(600, 610):
        await db.run(
            linked_patient, plan, clock.now(), chat_id=chat_id, starts_in=timedelta(days=10)
        )
    clock.advance(days=9, hours=11, minutes=15)  # pre-care and day-of are due for everyone
    assert await dispatcher.deliver_due() == 22
    assert transport.most_per_chat == 1
    assert transport.most_in_flight > 1
    steps = [text for chat, text in transport.sent if chat == 501]
    assert len(steps) == 2 and "aspirin" in steps[0].lower()  # pre-care, then day-of


async def test_one_at_a_time_with_a_window_of_one(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=1)
    await _patients_due(db, plan, clock, 12)
    assert await dispatcher.deliver_due() == 12
    assert transport.most_in_flight == 1


async def _second_backlog_after_the_window_opened(
    dispatcher: Dispatcher, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    """A first backlog (chats 600-607) is delivered, so the window knows the round trip and
    is open wide; then a second (chats 700-719, pre-care) falls due, nothing else."""
    for chat_id in range(600, 608):
        await db.run(
            linked_patient, plan, clock.now(), chat_id=chat_id, starts_in=timedelta(days=2.4)
        )
    for chat_id in range(700, 720):
        await db.run(
            linked_patient, plan, clock.now(), chat_id=chat_id, starts_in=timedelta(days=3)
        )
    clock.advance(days=1.35)  # the first group's pre-care is due (18:54 in Tehran)
    assert await dispatcher.deliver_due() == 8
    clock.advance(days=0.65)  # the second group's pre-care is due (10:30 the next morning)


async def test_a_429_pauses_the_whole_window_and_spends_no_attempt(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=4)
    await _second_backlog_after_the_window_opened(dispatcher, db, plan, clock)
    transport.tried.clear()
    transport.answers = [Outcome(SendResult.RATE_LIMITED, retry_after=30)]
    delivered = await dispatcher.deliver_due()
    assert len(transport.tried) <= 4  # only what was already in flight went out
    assert delivered == len(transport.tried) - 1
    pending = await db.run(_pending_rows)
    assert len(pending) == 20 - delivered
    assert all(attempts == 0 for attempts, _ in pending)
    assert all(wake >= to_epoch(clock.now()) + 30 for _, wake in pending)
    assert await db.run(in_state, MessageState.SENDING) == 0


async def test_the_channel_going_down_mid_window_gives_back_the_unsent_without_attempts(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    health = ChannelHealth("Telegram", now=transport.monotonic)
    dispatcher = _dispatcher(db, plan, clock, transport, window=4, health=health)
    await _second_backlog_after_the_window_opened(dispatcher, db, plan, clock)
    transport.tried.clear()
    health.failed("ConnectError")  # the link went down as the next sends went out
    transport.answers = [Outcome(SendResult.TRANSIENT, "NetworkError: ConnectError")] * 4
    assert await dispatcher.deliver_due() == 0
    assert transport.tried == []  # nothing more was offered while it was down
    pending = await db.run(_pending_rows)
    assert len(pending) == 20
    assert all(attempts == 0 for attempts, _ in pending)
    assert await db.run(in_state, MessageState.SENDING) == 0


async def test_failures_of_sends_in_flight_while_the_channel_drops_spend_no_attempt(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    health = ChannelHealth("Telegram", now=transport.monotonic)
    dispatcher = _dispatcher(db, plan, clock, transport, window=4, health=health)
    await _second_backlog_after_the_window_opened(dispatcher, db, plan, clock)
    transport.tried.clear()
    transport.gate = asyncio.Event()
    sending = asyncio.create_task(dispatcher.deliver_due())
    await transport.until_in_flight(4)
    health.failed("ConnectError")  # the link drops with four sends out
    transport.answers = [Outcome(SendResult.TRANSIENT, "NetworkError: ConnectError")] * 4
    transport.gate.set()
    assert await sending == 0
    assert len(transport.tried) == 4
    pending = await db.run(_pending_rows)
    assert len(pending) == 20
    assert all(attempts == 0 for attempts, _ in pending)


async def test_stop_waits_for_every_send_in_flight_to_be_recorded(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=4)
    await _second_backlog_after_the_window_opened(dispatcher, db, plan, clock)
    transport.gate = asyncio.Event()
    sending = asyncio.create_task(dispatcher.deliver_due())
    await transport.until_in_flight(4)
    stopping = asyncio.create_task(dispatcher.stop())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not stopping.done()  # four answers are still to come
    transport.gate.set()
    await stopping
    assert await sending == 4
    assert await db.run(in_state, MessageState.SENT) == 8 + 4
    assert await db.run(in_state, MessageState.SENDING) == 0
    assert await db.run(in_state, MessageState.PENDING) >= 16  # given back, as due


async def test_a_crash_between_request_and_record_costs_at_most_the_window_in_duplicates(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    transport = NetworkTransport()
    dispatcher = _dispatcher(db, plan, clock, transport, window=4)
    await _second_backlog_after_the_window_opened(dispatcher, db, plan, clock)
    transport.gate = asyncio.Event()
    sending = asyncio.create_task(dispatcher.deliver_due())
    await transport.until_in_flight(4)
    reached = [chat for chat, count in transport.in_flight.items() if count]
    for task in asyncio.all_tasks():  # the process dies: every task stops where it is
        if task is not asyncio.current_task():
            task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    transport.gate = None
    assert await db.run(in_state, MessageState.SENDING) >= 4  # no answer recorded
    restarted = _dispatcher(db, plan, clock, transport, window=4)
    assert await restarted.recover() >= 4
    assert await restarted.deliver_due() == 20
    # Telegram had the four in flight at the crash, and has them again now.
    delivered = Counter([chat for chat, _ in transport.sent if chat >= 700] + reached)
    assert set(delivered) == set(range(700, 720))  # none lost
    assert sum(count - 1 for count in delivered.values()) == len(reached) == 4  # at most W
    assert await db.run(in_state, MessageState.SENDING) == 0


async def test_the_window_opens_to_the_pace_over_the_round_trip() -> None:
    now = [0.0]
    window = SendWindow(Pacer(per_second=28.5), most=32, monotonic=lambda: now[0])
    assert window.size == 1  # no round trip known yet: one at a time
    for _ in range(60):
        window.observe(0.4)
    assert window.size == 13  # ceil(28.5 x 0.4) + 1
    for _ in range(60):
        window.observe(0.005)
    assert window.size == 2
    for _ in range(10):
        window.observe(5.0)
    assert window.size == 32  # never past the cap


async def test_room_waits_while_the_chat_has_a_send_in_flight() -> None:
    window = SendWindow(Pacer(per_second=1e6), most=4)
    for _ in range(10):
        window.observe(0.1)
    release = asyncio.Event()

    async def send() -> int:
        await release.wait()
        return 1

    await window.room(501)
    window.launch(501, send())
    waiting = asyncio.create_task(window.room(501))
    await window.room(502)  # another chat has room at once
    for _ in range(10):
        await asyncio.sleep(0)
    assert not waiting.done()
    release.set()
    await waiting
    assert await window.drain() == 1


def _pending_rows(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(attempts, wake_at) of every pending pre-care."""
    rows = conn.execute(
        "SELECT attempts, wake_at FROM care_messages WHERE state = 'pending' AND step = 'pre_care'"
    ).fetchall()
    return [(int(attempts), int(wake)) for attempts, wake in rows]
