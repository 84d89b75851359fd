"""The sender: takes due messages from the schedule, delivers them, records what happened.

A message's life: pending -> sending (claimed) -> sent | pending again (retry, rate limit,
quiet hours, unreachable patient, shutdown) | failed | skipped. Each step is one transaction
with its reason, written to `message_events`.

Sends overlap in a bounded window (jobs/window.py): up to W at once, W sized to hold the
channel's pace over the measured round trip, never two to one chat, and each answer recorded
as soon as it comes. That is what bounds the damage of a crash: at most W messages can have
reached the channel without their answer being recorded, so a crash costs at most W
duplicates. `window=1` hands them over one at a time. The pacer, not the window, sets the pace.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from care.core.clock import Clock, from_epoch, to_epoch
from care.core.reasons import Reason, with_detail
from care.db import messages
from care.db.messages import Claim
from care.db.worker import Database
from care.schedule import message_life
from care.schedule.awake import AwakePatients
from care.schedule.plan import CarePlan
from care.schedule.planning import quiet_hours_hold
from jobs.channels.health import ChannelHealth
from jobs.compose import Composer
from jobs.outcome import Outcome, SendResult
from jobs.pacing import Pacer
from jobs.retry import RetryPolicy
from jobs.transport import Transport
from jobs.window import SendWindow

log = logging.getLogger(__name__)

AlertRaised = Callable[[], None]

BATCH = 25  # about a second of sending: claimed messages wait in 'sending' only briefly
# A chat that has just had its share (a welcome, replies) would make its send wait in the
# window, and with a small window every other patient; such a chat's message goes last in
# its batch.
CHAT_WAIT_TOLERANCE = 0.5


@dataclass(frozen=True)
class _Pause:
    """Why the rest of a claimed batch goes back to the schedule unsent, and until when."""

    reason: str  # stored: a care.core.reasons code, maybe with its detail
    wake_at: int | None  # None: as it was
    # An outage is logged once, by the channel's health, not at every try.
    logged_elsewhere: bool = False


class Dispatcher:
    def __init__(
        self,
        *,
        db: Database,
        transport: Transport,
        composer: Composer,
        plan: CarePlan,
        clock: Clock,
        pacer: Pacer,
        on_alert: AlertRaised,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        on_progress: Callable[[], None] | None = None,
        awake: AwakePatients | None = None,
        health: ChannelHealth | None = None,
        window: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`on_progress` is called on every pass over the schedule and after every send
        attempt: the heartbeat that tells a monitor the sender is alive. While `health` says
        the channel cannot be reached, nothing is sent and no message spends its attempts:
        what waits is sent when the network is back, or skipped once no longer useful.
        `window`: the most sends in flight at once (1: one at a time)."""
        self._db = db
        self._transport = transport
        self._composer = composer
        self._plan = plan
        self._clock = clock
        self._pacer = pacer
        self._on_alert = on_alert
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._on_progress = on_progress or (lambda: None)
        self._awake = awake or AwakePatients()
        self._health = health or ChannelHealth("the channel")
        self._monotonic = monotonic
        self._window = SendWindow(pacer, most=window, monotonic=monotonic)
        self._lock = asyncio.Lock()
        self._stopping = False

    async def recover(self) -> int:
        """At start-up: messages a crash left half-sent go back to the schedule."""
        count = await self._db.run(message_life.release_interrupted, to_epoch(self._clock.now()))
        if count:
            log.warning(
                "%d claimed message(s) had no recorded answer when the bot stopped (those in"
                " flight may have reached Telegram); they go back to the schedule",
                count,
            )
        return count

    async def next_wake(self) -> datetime | None:
        at = await self._db.run(messages.next_wake)
        return from_epoch(at) if at is not None else None

    async def deliver_due(self) -> int:
        """Send everything due now; return how many were delivered. Safe to call often.
        Returns when every send it started has its answer recorded."""
        async with self._lock:
            queue: deque[Claim] = deque()
            while True:
                if not queue:
                    if self._stopping:
                        break
                    queue.extend(await self._claim())
                    if not queue:
                        if not self._window.in_flight:
                            break
                        # A recorded send may free its patient's next message: look again.
                        await self._window.one_finished()
                        continue
                await self._window.room(queue[0].chat_id)
                pause = self._pause()
                if pause is not None:
                    await self._give_back(list(queue), pause)
                    queue.clear()
                    continue
                claim = queue.popleft()
                if await self._held_or_skipped(claim):
                    continue
                self._window.launch(claim.chat_id, self._send_one(claim))
            return await self._window.drain()

    async def stop(self) -> None:
        """Send nothing more: the sends in flight finish and are recorded, the claimed
        messages not yet sent go back to the schedule, and this returns when the sender is
        idle."""
        self._stopping = True
        async with self._lock:
            return

    async def _claim(self) -> list[Claim]:
        """The next batch, most urgent first (care/db/messages.py), busy chats last."""
        self._on_progress()
        now = to_epoch(self._clock.now())
        skipped = await self._db.run(message_life.skip_expired, now)
        if skipped:
            log.info("skipped %d expired message(s)", skipped)
        claims = await self._db.run(message_life.claim_due, now, BATCH)
        # A batch has one message per patient, so sending the others first frees no chat
        # sooner, but lets time pass for the busy ones.
        return sorted(
            claims, key=lambda c: self._pacer.chat_free_in(c.chat_id) > CHAT_WAIT_TOLERANCE
        )

    async def _give_back(self, claims: list[Claim], pause: _Pause) -> None:
        await self._db.run(
            message_life.give_back, claims, pause.reason, pause.wake_at, to_epoch(self._clock.now())
        )
        level = logging.DEBUG if pause.logged_elsewhere else logging.INFO
        log.log(level, "%d claimed message(s) put back: %s", len(claims), pause.reason)

    def _pause(self) -> _Pause | None:
        if self._stopping:
            return _Pause(Reason.STOPPING, None)
        down_for = self._health.retry_in()
        if down_for > 0:
            wake = _ceil_epoch(self._clock.now() + timedelta(seconds=down_for))
            why = with_detail(Reason.CHANNEL_DOWN, self._health.name)
            return _Pause(why, wake, logged_elsewhere=True)
        held = self._pacer.held_for()
        if held > 0:
            wake = _ceil_epoch(self._clock.now() + timedelta(seconds=held))
            return _Pause(Reason.RATE_LIMITED, wake)
        return None

    async def _held_or_skipped(self, claim: Claim) -> bool:
        """Settle a claim that must not go now (expired, step removed, quiet hours); True
        if it was settled so."""
        now = self._clock.now()
        if to_epoch(now) >= claim.expires_at:
            await self._db.run(message_life.skip, claim, Reason.EXPIRED, now)
            return True
        if not self._plan.protocol.has_step(claim.step):
            await self._db.run(message_life.skip, claim, Reason.STEP_REMOVED, now)
            log.warning("skipped message %d: step %s was removed", claim.message_id, claim.step)
            return True
        later = self._quiet_hours_delay(claim, now)
        if later is not None:
            hold = Reason.QUIET_HOURS
            await self._db.run(
                message_life.retry_later, claim, _ceil_epoch(later), hold, now, False
            )
            return True
        return False

    async def _send_one(self, claim: Claim) -> int:
        """Deliver one claimed message and record the outcome; 1 if it was delivered. The
        time from the request to the recorded answer is the window's round trip."""
        await self._pacer.wait_for_chat(claim.chat_id)
        began = self._monotonic()
        try:
            message = self._composer.care_message(claim)
            outcome = await self._transport.deliver(claim.chat_id, message)
        except Exception as error:  # never leave a message claimed because of a surprise
            log.exception("unexpected error while sending message %d", claim.message_id)
            outcome = Outcome(SendResult.TRANSIENT, type(error).__name__)
        await self._record(claim, outcome)
        if outcome.result is not SendResult.TRANSIENT:  # a timeout says nothing of the round trip
            self._observe(self._monotonic() - began)
        self._on_progress()
        return int(outcome.result is SendResult.SENT)

    def _observe(self, seconds: float) -> None:
        before = self._window.size
        self._window.observe(seconds)
        if self._window.size != before:
            log.debug(
                "send window %d (round trip %.0f ms)",
                self._window.size,
                1000 * (self._window.round_trip.smoothed or 0.0),
            )

    def _quiet_hours_delay(self, claim: Claim, now: datetime) -> datetime | None:
        """A late message (after downtime, or for a patient who linked late) must not wake
        anyone: it waits for the morning if that is still useful and in time, unless the
        patient is awake anyway (they linked or wrote a moment ago)."""
        return quiet_hours_hold(
            self._plan.protocol.step(claim.step).quiet_hours,
            now=now,
            expires_at=from_epoch(claim.expires_at),
            in_time_by=from_epoch(claim.in_time_by) if claim.in_time_by is not None else None,
            awake=self._awake.is_awake(claim.patient_id, now),
            tz=self._plan.tz,
            quiet=self._plan.quiet,
        )

    async def _record(self, claim: Claim, outcome: Outcome) -> None:
        now = self._clock.now()
        ref = f"message {claim.message_id}"
        match outcome.result:
            case SendResult.SENT:
                assert outcome.telegram_message_id is not None
                await self._db.run(
                    message_life.record_sent, claim, outcome.telegram_message_id, now, self._plan
                )
                log.info("sent %s (%s) to patient %d", ref, claim.step, claim.patient_id)
            case SendResult.RATE_LIMITED:
                self._pacer.hold(outcome.retry_after)
                wake = _ceil_epoch(now + timedelta(seconds=outcome.retry_after))
                await self._db.run(
                    message_life.retry_later, claim, wake, Reason.RATE_LIMITED, now, False
                )
                log.warning("rate limited by Telegram for %.0f s", outcome.retry_after)
            case SendResult.TRANSIENT if not self._health.reachable:
                wake = _ceil_epoch(now + timedelta(seconds=self._health.retry_in()))
                why = with_detail(Reason.CHANNEL_DOWN, f"{self._health.name}: {outcome.detail}")
                await self._db.run(message_life.retry_later, claim, wake, why, now, False)
            case SendResult.TRANSIENT:
                await self._retry_or_fail(claim, outcome, now)
            case SendResult.UNREACHABLE:
                await self._db.run(message_life.hold_unreachable, claim, now)
                log.warning("patient %d is unreachable: %s", claim.patient_id, outcome.detail)
                self._on_alert()
            case SendResult.REJECTED:
                why = with_detail(Reason.REFUSED, outcome.detail)
                await self._db.run(message_life.fail, claim, why, now)
                log.error("Telegram rejected %s: %s", ref, outcome.detail)
                self._on_alert()

    async def _retry_or_fail(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        pause = self._retry.backoff_seconds(claim.attempts, self._rng)
        wake = _ceil_epoch(now + timedelta(seconds=pause))
        if claim.attempts < self._retry.max_attempts and wake < claim.expires_at:
            why = with_detail(Reason.RETRYING, outcome.detail)
            await self._db.run(message_life.retry_later, claim, wake, why, now, True)
            log.warning(
                "message %d: %s; retrying at %s", claim.message_id, outcome.detail, from_epoch(wake)
            )
            return
        why = with_detail(Reason.GAVE_UP, outcome.detail)
        await self._db.run(message_life.fail, claim, why, now)
        log.error("gave up on message %d after %d attempts", claim.message_id, claim.attempts)
        self._on_alert()


def _ceil_epoch(at: datetime) -> int:
    """Whole seconds, rounded up: a wait is never cut short by the rounding."""
    return math.ceil(at.timestamp())
