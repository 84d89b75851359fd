"""The sender: takes due messages from the schedule, delivers them, records what happened.

A message's life: pending -> sending (claimed) -> sent | pending again (retry, rate limit,
quiet hours, unreachable patient, shutdown) | failed | skipped. Each step is one transaction
with its reason, written to `message_events`.

Messages are handed to Telegram one at a time, and each answer is recorded before the next
message goes out. That is what bounds the damage of a crash: at most one message can have
reached Telegram without its answer being recorded, so a crash costs at most one duplicate.
The pacer, not concurrency, sets the pace.

Each message goes by one of the patient's channels (jobs/channels/base.py): the preferred one,
or, while that one is down or refuses the patient, the next one that can carry it. Before the
send, the message records the channel it goes by; an attempt whose outcome is unknown (a
timeout once connected, a crash) keeps the message on that channel, so a patient never gets
it twice on two channels. Only an outcome that proves nothing was delivered (no connection
could be made, a refusal) frees it for another channel.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from care.core.clock import Clock, from_epoch, to_epoch
from care.db import messages
from care.db.messages import Claim
from care.db.worker import Database
from care.schedule import message_life
from care.schedule.awake import AwakePatients
from care.schedule.plan import CarePlan
from care.schedule.planning import quiet_hours_hold
from jobs.channels.base import Channel, Channels
from jobs.compose import Composer
from jobs.outcome import Outcome, Result
from jobs.retry import RetryPolicy

log = logging.getLogger(__name__)

AlertRaised = Callable[[], None]

BATCH = 25  # about a second of sending: claimed messages wait in 'sending' only briefly
# A chat that has just had its share (a welcome, replies) would make the one-at-a-time sender,
# and with it every other patient, wait; such a chat's message goes last in its batch.
CHAT_WAIT_TOLERANCE = 0.5


@dataclass(frozen=True)
class _Pause:
    """Why the rest of a claimed batch goes back to the schedule unsent, and until when."""

    reason: str
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
    ) -> None:
        """`on_progress` is called on every pass over the schedule and after every send
        attempt: the heartbeat that tells a monitor the sender is alive. While no channel of
        a patient can be reached, nothing is sent to them and no message spends its attempts:
        what waits is sent when the network is back, or skipped once no longer useful."""
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
        self._lock = asyncio.Lock()
        self._stopping = False

    async def recover(self) -> int:
        """At start-up: messages a crash left half-sent go back to the schedule."""
        count = await self._db.run(message_life.release_interrupted, to_epoch(self._clock.now()))
        if count:
            log.warning(
                "%d claimed message(s) had no recorded answer when the bot stopped (at most one"
                " of them had reached Telegram); they go back to the schedule",
                count,
            )
        return count

    async def next_wake(self) -> datetime | None:
        at = await self._db.run(messages.next_wake)
        return from_epoch(at) if at is not None else None

    async def deliver_due(self) -> int:
        """Send everything due now; return how many were delivered. Safe to call often."""
        async with self._lock:
            delivered = 0
            while not self._stopping:
                self._on_progress()
                now = self._clock.now()
                skipped = await self._db.run(message_life.skip_expired, to_epoch(now))
                if skipped:
                    log.info("skipped %d expired message(s)", skipped)
                claims = await self._db.run(message_life.claim_due, to_epoch(now), BATCH)
                if not claims:
                    break
                delivered += await self._send_batch(claims)
            return delivered

    async def stop(self) -> None:
        """Send nothing more: the message in flight finishes and is recorded, the rest of its
        batch goes back to the schedule, and this returns when the sender is idle."""
        self._stopping = True
        async with self._lock:
            return

    async def _send_batch(self, claims: list[Claim]) -> int:
        # A batch has one message per patient, so sending the others first frees no chat
        # sooner, but lets time pass for the busy ones.
        queue = sorted(claims, key=self._busy)
        delivered = 0
        for index, claim in enumerate(queue):
            if self._stopping:
                await self._give_back(
                    queue[index:], _Pause("the bot is stopping; not sent yet", None)
                )
                break
            route = self._route(claim)
            if isinstance(route, _Pause):
                await self._give_back([claim], route)
                continue
            delivered += await self._send_one(claim, *route)
            self._on_progress()
        return delivered

    def _busy(self, claim: Claim) -> bool:
        first = self._channels.get(claim.routes[0].channel) if claim.routes else None
        return first is not None and first.pacer.chat_free_in(claim.chat_id) > CHAT_WAIT_TOLERANCE

    async def _give_back(self, claims: list[Claim], pause: _Pause) -> None:
        now = to_epoch(self._clock.now())
        await self._db.run(message_life.give_back, claims, pause.reason, pause.wake_at, now)
        level = logging.DEBUG if pause.logged_elsewhere else logging.INFO
        log.log(level, "%d claimed message(s) put back: %s", len(claims), pause.reason)

    def _route(self, claim: Claim) -> tuple[Channel, int] | _Pause:
        """The channel and chat the message goes by now, or why it waits: the first of the
        patient's reachable chats whose channel is up (only the channel it is pinned to, when
        an earlier attempt there may have delivered it)."""
        routes = [r for r in claim.routes if self._channels.get(r.channel) is not None]
        if claim.channel is not None:
            routes = [r for r in routes if r.channel == claim.channel]
            if not routes:  # it may be there already: held until it expires, never resent
                why = (
                    f"it may have reached the patient on {claim.channel}, which cannot carry it now"
                )
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
                return _Pause(f"{channel.name} asked us to wait; not sent yet", wake)
            return channel, route.chat_id
        if not waits:  # no chat on a channel this bot serves now
            wake = _ceil_epoch(self._clock.now() + timedelta(hours=1))
            return _Pause("no chat on a channel the bot serves; not sent yet", wake)
        wake = _ceil_epoch(self._clock.now() + timedelta(seconds=min(waits)))
        why = "waiting for a channel of the patient to be reachable; not sent yet"
        return _Pause(why, wake, logged_elsewhere=True)

    async def _send_one(self, claim: Claim, channel: Channel, chat_id: int) -> int:
        """Deliver one claimed message by `channel` and record the outcome; 1 if it was
        delivered."""
        now = self._clock.now()
        if to_epoch(now) >= claim.expires_at:
            await self._db.run(message_life.skip, claim, "expired before sending", now)
            return 0
        if not self._plan.protocol.has_step(claim.step):
            await self._db.run(
                message_life.skip, claim, "its step is no longer in the care protocol", now
            )
            log.warning("skipped message %d: step %s was removed", claim.message_id, claim.step)
            return 0
        later = self._quiet_hours_delay(claim, now)
        if later is not None:
            hold = messages.QUIET_HOURS_HOLD
            await self._db.run(
                message_life.retry_later, claim, _ceil_epoch(later), hold, now, False
            )
            return 0
        await channel.pacer.wait_for_chat(chat_id)
        if claim.channel != channel.name:  # recorded before the send: see the module docstring
            await self._db.run(message_life.pin_channel, claim, channel.name)
        try:
            message = self._composer.care_message(claim)
            outcome = await channel.transport.deliver(chat_id, message)
        except Exception as error:  # never leave a message claimed because of a surprise
            log.exception("unexpected error while sending message %d", claim.message_id)
            outcome = Outcome(Result.TRANSIENT, type(error).__name__)
        await self._record(claim, channel, outcome)
        return int(outcome.result is Result.SENT)

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
        match outcome.result:
            case Result.SENT:
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
            case Result.RATE_LIMITED:
                channel.pacer.hold(outcome.retry_after)
                wake = _ceil_epoch(now + timedelta(seconds=outcome.retry_after))
                why = f"{channel.name} rate limit"
                free = claim.channel is None
                await self._db.run(message_life.retry_later, claim, wake, why, now, False, free)
                log.warning("rate limited by %s for %.0f s", channel.name, outcome.retry_after)
            case Result.TRANSIENT if not health.reachable:
                # Never reached: the next try may go by another channel, at once.
                free = not outcome.reached and claim.channel is None
                delay = 0.0 if free and len(claim.routes) > 1 else health.retry_in()
                wake = _ceil_epoch(now + timedelta(seconds=delay))
                why = f"{channel.name} cannot be reached: {outcome.detail}"
                await self._db.run(message_life.retry_later, claim, wake, why, now, False, free)
            case Result.TRANSIENT:
                await self._retry_or_fail(claim, outcome, now)
            case Result.UNREACHABLE:
                held = await self._db.run(message_life.hold_unreachable, claim, channel.name, now)
                log.warning(
                    "patient %d is unreachable on %s: %s",
                    claim.patient_id,
                    channel.name,
                    outcome.detail,
                )
                if held:
                    self._on_alert()
            case Result.REJECTED:
                await self._db.run(
                    message_life.fail, claim, f"{channel.name} refused it: {outcome.detail}", now
                )
                log.error("%s rejected %s: %s", channel.name, ref, outcome.detail)
                self._on_alert()

    async def _retry_or_fail(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        pause = self._retry.backoff_seconds(claim.attempts, self._rng)
        wake = _ceil_epoch(now + timedelta(seconds=pause))
        if claim.attempts < self._retry.max_attempts and wake < claim.expires_at:
            free = not outcome.reached and claim.channel is None
            await self._db.run(
                message_life.retry_later, claim, wake, outcome.detail, now, True, free
            )
            log.warning(
                "message %d: %s; retrying at %s", claim.message_id, outcome.detail, from_epoch(wake)
            )
            return
        await self._db.run(message_life.fail, claim, f"gave up: {outcome.detail}", now)
        log.error("gave up on message %d after %d attempts", claim.message_id, claim.attempts)
        self._on_alert()


def _ceil_epoch(at: datetime) -> int:
    """Whole seconds, rounded up: a wait is never cut short by the rounding."""
    return math.ceil(at.timestamp())
