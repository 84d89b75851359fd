"""Every reason the sender writes is a code (care.core.reasons), whatever Telegram answered:
the staff read it in their own language, and no English sentence is stored."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from care.core.reasons import Reason
from care.db.worker import Database
from care.schedule.plan import CarePlan
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.retry import RetryPolicy
from tests.conftest import FakeClock
from tests.factories import linked_patient
from tests.jobs.support import RecordingTransport

# One patient per answer from Telegram; the last one always gets through.
ANSWERS: dict[int, list[Outcome]] = {
    501: [Outcome(SendResult.TRANSIENT, "TimedOut")] * RetryPolicy().max_attempts,
    502: [Outcome(SendResult.RATE_LIMITED, retry_after=1.0)],
    503: [Outcome(SendResult.REJECTED, "Bad Request: message is too long")],
    504: [Outcome(SendResult.UNREACHABLE, "Forbidden: bot was blocked by the user")],
    505: [],
}


def _stored_reasons(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT reason FROM message_events WHERE reason IS NOT NULL"
        " UNION ALL SELECT reason FROM care_messages WHERE reason IS NOT NULL"
    )
    return [str(row[0]) for row in rows]


def _code(stored: str) -> Reason | None:
    """The code a stored reason begins with, read strictly: no legacy sentence allowed."""
    try:
        return Reason(stored.partition(":")[0])
    except ValueError:
        return None


async def test_every_reason_the_sender_stores_is_a_code(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    for chat_id, answers in ANSWERS.items():
        await db.run(
            linked_patient, plan, clock.now(), chat_id=chat_id, starts_in=timedelta(days=10)
        )
        transport.script[chat_id] = list(answers)
    clock.advance(days=8, hours=22)  # pre-care due, the appointments still a day away
    for _ in range(RetryPolicy().max_attempts + 1):
        await dispatcher.deliver_due()
        clock.advance(minutes=11)
    clock.advance(days=20)  # what is left expires
    await dispatcher.deliver_due()
    await dispatcher.stop()

    stored = await db.run(_stored_reasons)
    assert [reason for reason in stored if _code(reason) is None] == []
    codes = {_code(reason) for reason in stored}
    written_by_the_sender = {
        Reason.CLAIMED,
        Reason.DELIVERED,
        Reason.RETRYING,
        Reason.GAVE_UP,
        Reason.RATE_LIMITED,
        Reason.REFUSED,
        Reason.UNREACHABLE,
        Reason.EXPIRED,
    }
    assert written_by_the_sender <= codes, written_by_the_sender - codes
