"""The sender: takes due messages from the schedule, delivers them, records what happened.

A message's life: pending -> sending (claimed) -> sent | pending again (retry, rate limit,
quiet hours, unreachable patient, shutdown) | failed | skipped. Each step is one transaction
with its reason, written to `message_events`.

Sends overlap in a bounded window (jobs/window.py): up to W at once, W sized to hold the
channel's pace over the measured round trip, never two to one chat, and each answer recorded
as soon as it comes. That is what bounds the damage of a crash: at most W messages can have
reached the channel without their answer being recorded, so a crash costs at most W
duplicates. `window=1` hands them over one at a time. The pacer, not the window, sets the pace.

Each message goes by one of the patient's channels (jobs/channels/base.py), each channel with
its own window, pacer and health: the preferred one, or, while that one is down or refuses
the patient, the next one that can carry it. Before the send, the message records the channel
it goes by; an attempt whose outcome is unknown (a timeout once connected, a crash) keeps the
message on that channel, so a patient never gets it twice on two channels. Only an outcome
that proves nothing was delivered (no connection could be made, a refusal) frees it for
another channel.
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
from jobs.channels.base import Channel, Channels
from jobs.compose import Composer
from jobs.outcome import Outcome, SendResult
from jobs.retry import RetryPolicy
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
        channels: Channels,
        composer: Composer,
        plan: CarePlan,
        clock: Clock,
        on_alert: AlertRaised,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        on_progress: Callable[[], None] | None = None,
        awake: AwakePatients | None = None,
        window: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`on_progress` is called on every pass over the schedule and after every send
        attempt: the heartbeat that tells a monitor the sender is alive. While no channel of a
        patient can be reached, nothing is sent to them and no message spends its attempts:
        what waits is sent when the network is back, or skipped once no longer useful.
        `window`: the most sends in flight at once on each channel (1: one at a time)."""
        self._db = db
        self._channels = channels
        self._composer = composer
        self._plan = plan
        self._clock = clock
        self._on_alert = on_alert
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._on_progress = on_progress or (lambda: None)
        self._awake = awake or AwakePatients()
        self._monotonic = monotonic
        self._windows = {
            channel.name: SendWindow(channel.pacer, most=window, monotonic=monotonic)
            for channel in channels
        }
        self._pinned: dict[int, str] = {}  # message id -> the channel recorded at its claim
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
                        busy = [w for w in self._windows.values() if w.in_flight]
                        if not busy:
                            break
                        # A recorded send may free its patient's next message: look again.
                        await busy[0].one_finished()
                        continue
                if self._stopping:
                    await self._give_back(list(queue), _Pause(Reason.STOPPING, None))
                    queue.clear()
                    continue
                route = self._route(queue[0])
                if isinstance(route, _Pause):
                    await self._give_back([queue.popleft()], route)
                    continue
                channel, chat_id = route
                window = self._windows[channel.name]
                await window.room(chat_id)
                if self._stopping or self._route(queue[0]) != route:  # stopping, or it went down
                    continue
                claim = queue.popleft()
                if await self._held_or_skipped(claim):
                    self._pinned.pop(claim.message_id, None)
                    continue
                window.launch(chat_id, self._send_one(claim, channel, chat_id))
            delivered = 0
            for window in self._windows.values():
                delivered += await window.drain()
            return delivered

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
        # Each message records the channel it is about to go by before it is sent (see the
        # module docstring); for a batch, in one transaction.
        pins = []
        for claim in claims:
            route = self._route(claim)
            if not isinstance(route, _Pause):
                self._pinned[claim.message_id] = route[0].name
                if route[0].name != claim.channel:
                    pins.append((claim, route[0].name))
        if pins:
            await self._db.run(message_life.pin_channels, pins)
        # A batch has one message per patient, so sending the others first frees no chat
        # sooner, but lets time pass for the busy ones.
        return sorted(claims, key=self._busy)

    def _busy(self, claim: Claim) -> bool:
        first = self._channels.get(claim.routes[0].channel) if claim.routes else None
        return first is not None and first.pacer.chat_free_in(claim.chat_id) > CHAT_WAIT_TOLERANCE

    async def _give_back(self, claims: list[Claim], pause: _Pause) -> None:
        for claim in claims:
            self._pinned.pop(claim.message_id, None)
        await self._db.run(
            message_life.give_back, claims, pause.reason, pause.wake_at, to_epoch(self._clock.now())
        )
        level = logging.DEBUG if pause.logged_elsewhere else logging.INFO
        log.log(level, "%d claimed message(s) put back: %s", len(claims), pause.reason)

    def _route(self, claim: Claim) -> tuple[Channel, int] | _Pause:
        """The channel and chat the message goes by now, or why it waits: the first of the
        patient's reachable chats whose channel is up; only the channel it is pinned to, when
        an earlier attempt there may have delivered it."""
        routes = [r for r in claim.routes if self._channels.get(r.channel) is not None]
        if claim.channel is not None:
            routes = [r for r in routes if r.channel == claim.channel]
            if not routes:  # it may be there already: held until it expires, never resent
                why = with_detail(Reason.MAYBE_DELIVERED, claim.channel)
                return _Pause(why, claim.expires_at)
        waits: list[float] = []
        for route in routes:
            channel = self._channels.get(route.channel)
            assert channel is not None
            down_for = channel.health.retry_in()
            if down_for > 0:
                waits.append(down_for)
                continue
            held = channel.pacer.held_for()
            if held > 0:
                wake = _ceil_epoch(self._clock.now() + timedelta(seconds=held))
                return _Pause(with_detail(Reason.RATE_LIMITED, channel.name), wake)
            return channel, route.chat_id
        if not waits:  # no chat on a channel this bot serves now
            wake = _ceil_epoch(self._clock.now() + timedelta(hours=1))
            return _Pause(Reason.NO_CHANNEL, wake)
        wake = _ceil_epoch(self._clock.now() + timedelta(seconds=min(waits)))
        return _Pause(Reason.CHANNEL_DOWN, wake, logged_elsewhere=True)

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
                message_life.retry_later, claim, _ceil_epoch(later), hold, now, False, True
            )
            return True
        return False

    async def _send_one(self, claim: Claim, channel: Channel, chat_id: int) -> int:
        """Deliver one claimed message by `channel` and record the outcome; 1 if it was
        delivered. The time from the request to the recorded answer is the window's round
        trip."""
        await channel.pacer.wait_for_chat(chat_id)
        if self._pinned.pop(claim.message_id, claim.channel) != channel.name:
            # Its route changed since the claim (a channel went down): recorded anew.
            await self._db.run(message_life.pin_channel, claim, channel.name)
        began = self._monotonic()
        try:
            message = self._composer.care_message(claim)
            outcome = await channel.transport.deliver(chat_id, message)
        except Exception as error:  # never leave a message claimed because of a surprise
            log.exception("unexpected error while sending message %d", claim.message_id)
            outcome = Outcome(SendResult.TRANSIENT, type(error).__name__)
        await self._record(claim, channel, outcome)
        if outcome.result is not SendResult.TRANSIENT:  # a timeout says nothing of the round trip
            self._observe(self._windows[channel.name], self._monotonic() - began)
        self._on_progress()
        return int(outcome.result is SendResult.SENT)

    def _observe(self, window: SendWindow, seconds: float) -> None:
        before = window.size
        window.observe(seconds)
        if window.size != before:
            log.debug(
                "send window %d (round trip %.0f ms)",
                window.size,
                1000 * (window.round_trip.smoothed or 0.0),
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

    async def _record(self, claim: Claim, channel: Channel, outcome: Outcome) -> None:
        now = self._clock.now()
        ref = f"message {claim.message_id}"
        health = channel.health
        # Nothing reached the patient, and no earlier try may have: any channel may carry it.
        free = not outcome.reached
        match outcome.result:
            case SendResult.SENT:
                assert outcome.telegram_message_id is not None
                await self._db.run(
                    message_life.record_sent, claim, outcome.telegram_message_id, now, self._plan
                )
                log.info(
                    "sent %s (%s) to patient %d by %s",
                    ref,
                    claim.step,
                    claim.patient_id,
                    channel.name,
                )
            case SendResult.RATE_LIMITED:
                channel.pacer.hold(outcome.retry_after)
                wake = _ceil_epoch(now + timedelta(seconds=outcome.retry_after))
                why = with_detail(Reason.RATE_LIMITED, channel.name)
                await self._db.run(message_life.retry_later, claim, wake, why, now, False, True)
                log.warning("rate limited by %s for %.0f s", channel.name, outcome.retry_after)
            case SendResult.TRANSIENT if not health.reachable:
                # Never reached: the next try may go by another channel, at once.
                other = free and claim.channel is None and len(claim.routes) > 1
                delay = 0.0 if other else health.retry_in()
                wake = _ceil_epoch(now + timedelta(seconds=delay))
                why = with_detail(Reason.CHANNEL_DOWN, f"{channel.name}: {outcome.detail}")
                await self._db.run(message_life.retry_later, claim, wake, why, now, False, free)
            case SendResult.TRANSIENT:
                await self._retry_or_fail(claim, outcome, now, free)
            case SendResult.UNREACHABLE:
                held = await self._db.run(message_life.hold_unreachable, claim, channel.name, now)
                log.warning(
                    "patient %d is unreachable on %s: %s",
                    claim.patient_id,
                    channel.name,
                    outcome.detail,
                )
                if held:
                    self._on_alert()
            case SendResult.REJECTED:
                why = with_detail(Reason.REFUSED, f"{channel.name}: {outcome.detail}")
                await self._db.run(message_life.fail, claim, why, now)
                log.error("%s rejected %s: %s", channel.name, ref, outcome.detail)
                self._on_alert()

    async def _retry_or_fail(
        self, claim: Claim, outcome: Outcome, now: datetime, free: bool
    ) -> None:
        pause = self._retry.backoff_seconds(claim.attempts, self._rng)
        wake = _ceil_epoch(now + timedelta(seconds=pause))
        if claim.attempts < self._retry.max_attempts and wake < claim.expires_at:
            why = with_detail(Reason.RETRYING, outcome.detail)
            await self._db.run(message_life.retry_later, claim, wake, why, now, True, free)
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
