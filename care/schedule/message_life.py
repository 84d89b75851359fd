"""The life of a care message once it is due, one transaction per step, each with its reason.

pending -> sending (claimed) -> sent | pending again (retry, rate limit, quiet hours, unreachable
patient, shutdown) | failed | skipped. The sender (jobs/delivery.py) decides *when* each step
happens; this module is *what* each step writes, with its consequences in the same transaction:
a delivered message plans the next repetition of a repeating step, and a failure or an
unreachable patient raises the staff alert.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.core.clock import from_epoch, to_epoch
from care.core.models import AlertKind, MessageState, PatientStatus
from care.core.reasons import Reason, with_detail
from care.db import alerts, chats, messages, patients
from care.db.connection import transaction
from care.db.messages import Claim
from care.schedule.plan import CarePlan
from care.schedule.planning import plan_repeat
from care.schedule.protocol import STOPS_REPEATS


def skip_expired(conn: sqlite3.Connection, now: int) -> int:
    with transaction(conn):
        return messages.skip_expired(conn, now)


def release_interrupted(conn: sqlite3.Connection, now: int) -> int:
    with transaction(conn):
        return messages.release_interrupted(conn, now)


def claim_due(conn: sqlite3.Connection, now: int, limit: int) -> list[Claim]:
    with transaction(conn):
        return messages.claim_due(conn, now, limit)


def record_sent(
    conn: sqlite3.Connection, claim: Claim, telegram_id: int, now: datetime, plan: CarePlan
) -> None:
    with transaction(conn):
        messages.note_attempt(conn, claim.message_id)
        if messages.record_sent(conn, claim.message_id, telegram_id, to_epoch(now)):
            _after_delivery(conn, claim, plan=plan, now=now)


def pin_channel(conn: sqlite3.Connection, claim: Claim, channel: str) -> None:
    """The message is about to go by `channel`: recorded before the send, so that a crash
    or a timeout leaves it on that channel and it never reaches the patient on two."""
    with transaction(conn):
        messages.pin_channel(conn, claim.message_id, channel)


def pin_channels(conn: sqlite3.Connection, pins: list[tuple[Claim, str]]) -> None:
    """`pin_channel` for a batch just claimed, in one transaction."""
    with transaction(conn):
        for claim, channel in pins:
            messages.pin_channel(conn, claim.message_id, channel)


def retry_later(
    conn: sqlite3.Connection,
    claim: Claim,
    wake_at: int,
    why: str,
    now: datetime,
    attempted: bool,
    free_channel: bool = False,
) -> None:
    """Back to the schedule; `free_channel`: this attempt certainly delivered nothing (or was
    never made), so the message's channel is again what it was when claimed: none, unless an
    earlier attempt may have delivered it."""
    with transaction(conn):
        if free_channel:
            messages.pin_channel(conn, claim.message_id, claim.channel)
        if attempted:
            messages.note_attempt(conn, claim.message_id)
        messages.retry_later(conn, claim.message_id, wake_at=wake_at, reason=why, now=to_epoch(now))


def give_back(
    conn: sqlite3.Connection, claims: list[Claim], reason: str, wake_at: int | None, now: int
) -> None:
    """Unsent claims go back to pending, not counted as attempts, with the channel they had
    when claimed; `wake_at` None: as due."""
    with transaction(conn):
        for claim in claims:
            messages.pin_channel(conn, claim.message_id, claim.channel)
            if wake_at is None:
                messages.transition(
                    conn,
                    claim.message_id,
                    from_state=MessageState.SENDING,
                    to_state=MessageState.PENDING,
                    reason=reason,
                    now=now,
                )
            else:
                messages.retry_later(
                    conn, claim.message_id, wake_at=wake_at, reason=reason, now=now
                )


def skip(conn: sqlite3.Connection, claim: Claim, why: str, now: datetime) -> None:
    with transaction(conn):
        messages.transition(
            conn,
            claim.message_id,
            from_state=MessageState.SENDING,
            to_state=MessageState.SKIPPED,
            reason=why,
            now=to_epoch(now),
        )


def fail(conn: sqlite3.Connection, claim: Claim, why: str, now: datetime) -> None:
    """Give up on the message and tell staff, in one transaction."""
    with transaction(conn):
        messages.note_attempt(conn, claim.message_id)
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


def hold_unreachable(conn: sqlite3.Connection, claim: Claim, channel: str, now: datetime) -> bool:
    """`channel` refused the patient (blocked, chat gone): the message goes by another of
    their chats at once, if they have one that takes messages; otherwise it is held, the
    patient marked unreachable, and staff hear of it once per episode. True in that case."""
    with transaction(conn):
        messages.note_attempt(conn, claim.message_id)
        # As when claimed: an earlier try that may have delivered it keeps it on its channel.
        messages.pin_channel(conn, claim.message_id, claim.channel)
        if chats.mark_unreachable(conn, claim.patient_id, channel, to_epoch(now)):
            why = with_detail(Reason.UNREACHABLE_ON, channel)
            messages.retry_later(
                conn, claim.message_id, wake_at=to_epoch(now), reason=why, now=to_epoch(now)
            )
            return False
        messages.retry_later(
            conn,
            claim.message_id,
            wake_at=claim.due_at,
            reason=Reason.UNREACHABLE,
            now=to_epoch(now),
        )
        if patients.set_status(conn, claim.patient_id, PatientStatus.UNREACHABLE):
            alerts.raise_once(
                conn,
                kind=AlertKind.UNREACHABLE,
                dedupe_key=f"unreachable:{claim.patient_id}:{claim.message_id}",
                now=to_epoch(now),
                patient_id=claim.patient_id,
                appointment_id=claim.appointment_id,  # the one whose message could not go
            )
        return True


def _after_delivery(
    conn: sqlite3.Connection, claim: Claim, *, plan: CarePlan, now: datetime
) -> None:
    """Note the appointment start the text described, and plan the next repetition of a
    repeating step (the six-monthly follow-up)."""
    messages.note_sent_for_start(conn, claim.message_id, claim.starts_at)
    if _repeats(conn, claim, plan):
        step = plan.protocol.step(claim.step)
        again = plan_repeat(
            step,
            previous_due=from_epoch(claim.due_at),
            tz=plan.tz,
            quiet=plan.quiet,
            working=plan.working,
        )
        messages.add(
            conn,
            appointment_id=claim.appointment_id,
            patient_id=claim.patient_id,
            step=claim.step,
            due_at=to_epoch(again.due_at),
            expires_at=to_epoch(again.expires_at),
            now=to_epoch(now),
            ready_at=to_epoch(again.ready_at),
        )


def _repeats(conn: sqlite3.Connection, claim: Claim, plan: CarePlan) -> bool:
    """A repetition is planned unless the step does not repeat (any more), the patient has
    stopped their messages, asked to stop these reminders in this chain (a "not now" declines
    only its own reminder), or the next one is already planned."""
    step = next((s for s in plan.protocol.steps if s.key == claim.step), None)
    if step is None or not step.repeat_months:
        return False
    patient = patients.get(conn, claim.patient_id)
    if patient is None or patient.status is not PatientStatus.ACTIVE:
        return False
    chain = [m for m in messages.of_appointment(conn, claim.appointment_id) if m.step == step.key]
    declined = any(m.answer in STOPS_REPEATS for m in chain)
    planned = any(m.state is MessageState.PENDING for m in chain)
    return not declined and not planned
