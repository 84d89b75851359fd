"""The sender: takes due messages from the schedule, delivers them, records what happened.

A message's life: pending -> sending (claimed) -> sent | pending again (retry, rate limit,
unreachable patient) | failed | skipped. Each step is one transaction with its reason.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from care.clock import Clock, from_epoch, to_epoch
from care.db import alerts, messages, patients
from care.db.connection import transaction
from care.db.messages import Claim
from care.db.worker import Database
from care.delivered import after_delivery
from care.enrolment import CarePlan
from care.models import AlertKind, MessageState, PatientStatus
from care.protocol import CareProtocol
from care.quiet_hours import QuietHours
from jobs.compose import Composer
from jobs.outcome import Outcome, Result
from jobs.pacing import Pacer
from jobs.retry import MAX_ATTEMPTS, backoff_seconds
from jobs.transport import Transport

log = logging.getLogger(__name__)

AlertRaised = Callable[[], None]

BATCH = 200
CONCURRENT_SENDS = 16


class Dispatcher:
    def __init__(
        self,
        *,
        db: Database,
        transport: Transport,
        composer: Composer,
        protocol: CareProtocol,
        quiet: QuietHours,
        tz_name: str,
        clock: Clock,
        pacer: Pacer,
        on_alert: AlertRaised,
        rng: random.Random | None = None,
    ) -> None:
        from zoneinfo import ZoneInfo

        self._db = db
        self._transport = transport
        self._composer = composer
        self._protocol = protocol
        self._quiet = quiet
        self._tz = ZoneInfo(tz_name)
        self._clock = clock
        self._pacer = pacer
        self._on_alert = on_alert
        self._rng = rng or random.Random()
        self._lock = asyncio.Lock()

    async def recover(self) -> int:
        """At start-up: messages a crash left half-sent go back to the schedule."""
        count = await self._db.run(_release_interrupted, to_epoch(self._clock.now()))
        if count:
            log.warning("%d message(s) were mid-send when the bot stopped; sending again", count)
        return count

    async def next_wake(self) -> datetime | None:
        at = await self._db.run(messages.next_wake)
        return from_epoch(at) if at is not None else None

    async def deliver_due(self) -> int:
        """Send everything due now; return how many were delivered. Safe to call often."""
        async with self._lock:
            delivered = 0
            while True:
                now = self._clock.now()
                skipped = await self._db.run(_skip_expired, to_epoch(now))
                if skipped:
                    log.info("skipped %d expired message(s)", skipped)
                claims = await self._db.run(_claim, to_epoch(now), BATCH)
                if not claims:
                    return delivered
                delivered += await self._send_batch(claims)

    async def _send_batch(self, claims: list[Claim]) -> int:
        by_chat: dict[int, list[Claim]] = defaultdict(list)
        for claim in claims:
            by_chat[claim.chat_id].append(claim)
        gate = asyncio.Semaphore(CONCURRENT_SENDS)

        async def send_chat(queue: list[Claim]) -> int:
            async with gate:
                return sum([await self._send_one(claim) for claim in queue])

        results = await asyncio.gather(*(send_chat(queue) for queue in by_chat.values()))
        return sum(results)

    async def _send_one(self, claim: Claim) -> int:
        now = self._clock.now()
        if to_epoch(now) >= claim.expires_at:
            await self._db.run(_skip, claim, "expired before sending", now)
            return 0
        later = self._quiet_hours_delay(claim, now)
        if later is not None:
            await self._db.run(_retry, claim, later, "quiet hours", now)
            return 0
        await self._pacer.wait_turn(claim.chat_id)
        outcome = await self._transport.deliver(claim.chat_id, self._composer.care_message(claim))
        return await self._record(claim, outcome)

    def _quiet_hours_delay(self, claim: Claim, now: datetime) -> datetime | None:
        """A late message (after downtime) must not wake anyone: hold it until morning if it
        is still useful then."""
        if self._protocol.step(claim.step).quiet_hours == "ignore":
            return None
        if not self._quiet.contains(now, self._tz):
            return None
        morning = self._quiet.move_later(now, self._tz)
        return morning if to_epoch(morning) < claim.expires_at else None

    async def _record(self, claim: Claim, outcome: Outcome) -> int:
        now = self._clock.now()
        ref = f"message {claim.message_id}"
        match outcome.result:
            case Result.SENT:
                assert outcome.telegram_message_id is not None
                plan = CarePlan(self._protocol, self._tz, self._quiet)
                await self._db.run(_sent, claim, outcome.telegram_message_id, now, plan)
                log.info("sent %s (%s) to patient %d", ref, claim.step, claim.patient_id)
                return 1
            case Result.RATE_LIMITED:
                self._pacer.hold(outcome.retry_after)
                wake = now + timedelta(seconds=outcome.retry_after)
                await self._db.run(_retry, claim, wake, "Telegram rate limit", now)
                log.warning("rate limited by Telegram for %.0f s", outcome.retry_after)
            case Result.TRANSIENT:
                await self._retry_or_fail(claim, outcome, now)
            case Result.UNREACHABLE:
                await self._db.run(_unreachable, claim, now)
                log.warning("patient %d is unreachable: %s", claim.patient_id, outcome.detail)
                self._on_alert()
            case Result.REJECTED:
                await self._db.run(_fail, claim, f"Telegram refused it: {outcome.detail}", now)
                log.error("Telegram rejected %s: %s", ref, outcome.detail)
                self._on_alert()
        return 0

    async def _retry_or_fail(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        wake = now + timedelta(seconds=backoff_seconds(claim.attempts, self._rng))
        if claim.attempts < MAX_ATTEMPTS and to_epoch(wake) < claim.expires_at:
            await self._db.run(_retry, claim, wake, outcome.detail, now)
            log.warning("%s: %s; retrying at %s", claim.message_id, outcome.detail, wake)
            return
        await self._db.run(_fail, claim, f"gave up: {outcome.detail}", now)
        log.error("gave up on message %d after %d attempts", claim.message_id, claim.attempts)
        self._on_alert()


def _skip_expired(conn: sqlite3.Connection, now: int) -> int:
    with transaction(conn):
        return messages.skip_expired(conn, now)


def _release_interrupted(conn: sqlite3.Connection, now: int) -> int:
    with transaction(conn):
        return messages.release_interrupted(conn, now)


def _claim(conn: sqlite3.Connection, now: int, limit: int) -> list[Claim]:
    with transaction(conn):
        return messages.claim_due(conn, now, limit)


def _sent(
    conn: sqlite3.Connection, claim: Claim, telegram_id: int, now: datetime, plan: CarePlan
) -> None:
    with transaction(conn):
        if messages.record_sent(conn, claim.message_id, telegram_id, to_epoch(now)):
            after_delivery(conn, claim, plan=plan, now=now)


def _retry(conn: sqlite3.Connection, claim: Claim, wake: datetime, why: str, now: datetime) -> None:
    with transaction(conn):
        messages.retry_later(
            conn, claim.message_id, wake_at=to_epoch(wake), reason=why, now=to_epoch(now)
        )


def _skip(conn: sqlite3.Connection, claim: Claim, why: str, now: datetime) -> None:
    with transaction(conn):
        messages.transition(
            conn,
            claim.message_id,
            from_state=MessageState.SENDING,
            to_state=MessageState.SKIPPED,
            reason=why,
            now=to_epoch(now),
        )


def _fail(conn: sqlite3.Connection, claim: Claim, why: str, now: datetime) -> None:
    """Give up on the message and tell staff, in one transaction."""
    with transaction(conn):
        messages.transition(
            conn,
            claim.message_id,
            from_state=MessageState.SENDING,
            to_state=MessageState.FAILED,
            reason=why,
            now=to_epoch(now),
        )
        alerts.raise_once(
            conn,
            kind=AlertKind.DELIVERY_FAILED,
            dedupe_key=f"failed:{claim.message_id}",
            now=to_epoch(now),
            patient_id=claim.patient_id,
            appointment_id=claim.appointment_id,
        )


def _unreachable(conn: sqlite3.Connection, claim: Claim, now: datetime) -> None:
    """Hold the message and mark the patient; staff hear of it once per episode."""
    with transaction(conn):
        messages.retry_later(
            conn,
            claim.message_id,
            wake_at=claim.due_at,
            reason="patient unreachable; held until they return",
            now=to_epoch(now),
        )
        if patients.set_status(conn, claim.patient_id, PatientStatus.UNREACHABLE):
            alerts.raise_once(
                conn,
                kind=AlertKind.UNREACHABLE,
                dedupe_key=f"unreachable:{claim.patient_id}:{claim.message_id}",
                now=to_epoch(now),
                patient_id=claim.patient_id,
            )
