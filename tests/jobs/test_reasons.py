"""Every reason the sender writes is a code (care.core.reasons), whatever Telegram answered:
the staff read it in their own language, and no English sentence is stored."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.channels import TELEGRAM
from care.core.reasons import Reason
from care.db.worker import Database
from care.people.invites import redeem_invite
from care.schedule.plan import CarePlan
from jobs.channels.bale import BALE
from jobs.channels.base import Channel, Channels
from jobs.channels.health import ChannelHealth
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.pacing import Pacer
from jobs.retry import RetryPolicy
from tests.conftest import FakeClock
from tests.factories import enrolled, linked_patient
from tests.jobs.support import UNPACED, Alerts, RecordingTransport

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


# Patients of a sender that serves Bale only (their chats by channel), and Bale's answers.
ON_TELEGRAM_ONLY = {TELEGRAM: 601}  # no chat on a channel the sender serves
PINNED_TO_TELEGRAM = {TELEGRAM: 602, BALE: 702}  # an earlier try on Telegram may have arrived
RATE_LIMITED_ON_BALE = {BALE: 703}
BLOCKED_ON_BALE = {BALE: 704, TELEGRAM: 604}  # refused on Bale, still linked on Telegram
BALE_ANSWERS: dict[int, list[Outcome]] = {
    703: [Outcome(SendResult.RATE_LIMITED, retry_after=1.0)],
    704: [Outcome(SendResult.UNREACHABLE, "Forbidden: bot was blocked by the user")],
}


def _linked(
    conn: sqlite3.Connection, plan: CarePlan, now: datetime, chats: dict[str, int], pin: bool
) -> None:
    enrolment = enrolled(conn, plan, now, starts_in=timedelta(days=10))
    for channel, chat_id in chats.items():
        redeem_invite(conn, enrolment.token, chat_id=chat_id, now=now, channel=channel)
    if pin:
        conn.execute(
            "UPDATE care_messages SET channel = ? WHERE patient_id = ?",
            (TELEGRAM, enrolment.patient_id),
        )


async def test_every_reason_a_sender_of_two_channels_stores_is_a_code_that_names_no_channel(
    db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    """The channel a reason concerns is its detail (for the export), never English words."""
    bale = RecordingTransport()
    bale.script = {chat: list(answers) for chat, answers in BALE_ANSWERS.items()}
    now = lambda: clock.now().timestamp()  # noqa: E731 - the health's time is the fake clock's
    pacer = Pacer(per_second=1e6, private=UNPACED, group=UNPACED, monotonic=now)
    dispatcher = Dispatcher(
        db=db,
        channels=Channels([Channel(BALE, bale, pacer, ChannelHealth("Bale", now=now))]),
        composer=Composer(
            load_catalog(DEFAULT_MESSAGES_DIR), plan.protocol, Clinic("C", "-", "-", "115"), plan.tz
        ),
        plan=plan,
        clock=clock,
        on_alert=Alerts(),
    )
    for chats in (ON_TELEGRAM_ONLY, PINNED_TO_TELEGRAM, RATE_LIMITED_ON_BALE, BLOCKED_ON_BALE):
        await db.run(_linked, plan, clock.now(), chats, chats is PINNED_TO_TELEGRAM)
    clock.advance(days=8, hours=22)
    for _ in range(3):
        await dispatcher.deliver_due()
        clock.advance(seconds=2)
    await dispatcher.stop()

    stored = await db.run(_stored_reasons)
    assert [reason for reason in stored if _code(reason) is None] == []
    assert {Reason.NO_CHANNEL, Reason.MAYBE_DELIVERED, Reason.UNREACHABLE_ON} <= {
        _code(reason) for reason in stored
    }
    assert f"{Reason.RATE_LIMITED}:bale" in stored
    assert f"{Reason.UNREACHABLE_ON}:bale" in stored
    assert f"{Reason.MAYBE_DELIVERED}:telegram" in stored
