"""The sender with two channels: the preferred one first, the other once when it cannot carry
the message, and never both (issue 11.3, 11.5)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.clock import to_epoch
from care.core.models import MessageState, PatientStatus
from care.db import messages, patients
from care.db.worker import Database
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import redeem_invite
from care.schedule import message_life
from care.schedule.plan import CarePlan
from jobs.channels.base import Channel, Channels
from jobs.channels.health import ChannelHealth
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.pacing import Pacer
from tests.conftest import FakeClock
from tests.jobs.support import UNPACED, Alerts, RecordingTransport, alert_kinds

TELEGRAM_CHAT = 501
BALE_CHAT = 7_000_000_001
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
TIMED_OUT = Outcome(SendResult.TRANSIENT, "TimedOut: read timed out")  # may have been delivered
REFUSED = Outcome(SendResult.TRANSIENT, "NetworkError: httpx.ConnectError", reached=False)
BLOCKED = Outcome(SendResult.UNREACHABLE, "Forbidden: bot was blocked by the user")


class TwoChannels:
    def __init__(self, db: Database, plan: CarePlan, clock: FakeClock) -> None:
        self.clock = clock
        self.telegram = RecordingTransport()
        self.bale = RecordingTransport()
        now = lambda: clock.now().timestamp()  # noqa: E731 - the healths' time is the fake clock's
        self.telegram_health = ChannelHealth("Telegram", now=now)
        self.bale_health = ChannelHealth("Bale", now=now)
        self.alerts = Alerts()
        self.composer = Composer(CATALOG, plan.protocol, Clinic("C", "-", "-", "115"), plan.tz)
        self.dispatcher = Dispatcher(
            db=db,
            channels=Channels(
                [
                    Channel("telegram", self.telegram, _pacer(clock), self.telegram_health),
                    Channel("bale", self.bale, _pacer(clock), self.bale_health),
                ]
            ),
            composer=self.composer,
            plan=plan,
            clock=clock,
            on_alert=self.alerts,
        )

    def texts(self) -> set[tuple[str, str]]:
        """(channel, text) of every message delivered."""
        return {("telegram", m.text) for _c, m in self.telegram.sent} | {
            ("bale", m.text) for _c, m in self.bale.sent
        }

    def sent(self) -> list[tuple[str, int]]:
        return [("telegram", chat) for chat, _m in self.telegram.sent] + [
            ("bale", chat) for chat, _m in self.bale.sent
        ]


def _pacer(clock: FakeClock) -> Pacer:
    return Pacer(
        per_second=1e6, private=UNPACED, group=UNPACED, monotonic=lambda: clock.now().timestamp()
    )


async def _on_both(db: Database, plan: CarePlan, clock: FakeClock, first: str) -> Enrolment:
    """Enrolled, linked on `first`, then on the other channel with the same invite."""
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(days=3), "en")
    enrolment = await db.run(
        enrol, booking, plan=plan, actor="test", invite_days=14, now=clock.now()
    )
    chat_of = {"telegram": TELEGRAM_CHAT, "bale": BALE_CHAT}
    second = "telegram" if first == "bale" else "bale"
    for channel in (first, second):
        await _link(db, enrolment, channel, chat_of[channel], clock)
    return enrolment


async def _link(
    db: Database, enrolment: Enrolment, channel: str, chat_id: int, clock: FakeClock
) -> None:
    result = await db.run(
        redeem_invite, enrolment.token, chat_id=chat_id, now=clock.now(), channel=channel
    )
    assert result.patient is not None, result


def _channels_of(conn: sqlite3.Connection, appointment_id: int) -> dict[str, str | None]:
    return {m.step: m.channel for m in messages.of_appointment(conn, appointment_id)}


@pytest.fixture
def two(db: Database, plan: CarePlan, clock: FakeClock) -> TwoChannels:
    return TwoChannels(db, plan, clock)


async def test_a_message_goes_by_the_channel_linked_first(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = await _on_both(db, plan, clock, first="bale")
    clock.advance(days=2)
    assert await two.dispatcher.deliver_due() == 1
    assert two.sent() == [("bale", BALE_CHAT)]
    channels = await db.run(_channels_of, enrolment.appointment_ids[0])
    assert channels["pre_care"] == "bale"


async def test_a_channel_that_cannot_be_reached_hands_the_message_to_the_other_once(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = await _on_both(db, plan, clock, first="telegram")
    clock.advance(days=2)
    two.telegram.script[TELEGRAM_CHAT] = [REFUSED]
    two.telegram_health.failed("ConnectError: refused")  # what the request itself reports
    assert await two.dispatcher.deliver_due() == 1
    assert two.sent() == [("bale", BALE_CHAT)]
    channels = await db.run(_channels_of, enrolment.appointment_ids[0])
    assert channels["pre_care"] == "bale"


async def test_a_send_that_may_have_arrived_never_goes_on_the_other_channel(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    """A timeout once connected: Telegram may have delivered it. It stays Telegram's, even
    while Telegram is down and Bale is up; it is tried on Telegram again when it is back."""
    enrolment = await _on_both(db, plan, clock, first="telegram")
    clock.advance(days=2)
    two.telegram.script[TELEGRAM_CHAT] = [TIMED_OUT]
    await two.dispatcher.deliver_due()
    two.telegram_health.failed("timed out")  # and Telegram stays down
    for _ in range(5):
        clock.advance(minutes=10)
        await two.dispatcher.deliver_due()
    assert two.bale.tried == []
    two.telegram_health.answered()
    clock.advance(minutes=1)
    await two.dispatcher.deliver_due()
    assert two.sent() == [("telegram", TELEGRAM_CHAT)]
    states = await db.run(_channels_of, enrolment.appointment_ids[0])
    assert states["pre_care"] == "telegram"


async def test_after_a_crash_mid_send_the_message_is_tried_only_where_it_went(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    """The crash left it 'sending' with Telegram recorded: Telegram may have it. Start-up
    gives it back to the schedule; even with Telegram down it never goes by Bale."""
    enrolment = await _on_both(db, plan, clock, first="telegram")
    clock.advance(days=2)
    claims = await db.run(message_life.claim_due, to_epoch(clock.now()), 25)
    assert len(claims) == 1
    await db.run(message_life.pin_channel, claims[0], "telegram")
    # ... the process dies here, after the request left and before its answer was recorded.
    assert await two.dispatcher.recover() == 1
    two.telegram_health.failed("ConnectError: refused")
    clock.advance(minutes=30)
    await two.dispatcher.deliver_due()
    assert two.bale.tried == []
    state = await db.run(_channels_of, enrolment.appointment_ids[0])
    assert state["pre_care"] == "telegram"


async def test_a_patient_who_blocked_the_bot_on_one_channel_gets_it_on_the_other(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = await _on_both(db, plan, clock, first="telegram")
    clock.advance(days=2)
    two.telegram.script[TELEGRAM_CHAT] = [BLOCKED]
    assert await two.dispatcher.deliver_due() == 1
    assert two.sent() == [("bale", BALE_CHAT)]
    patient = await db.run(patients.get, enrolment.patient_id)
    assert patient is not None and patient.status is PatientStatus.ACTIVE
    assert await db.run(alert_kinds) == []  # reachable on Bale: nobody needs to call
    clock.advance(days=1, hours=6)  # day-of: straight to Bale, Telegram is not tried again
    await two.dispatcher.deliver_due()
    assert two.telegram.tried == [TELEGRAM_CHAT]


async def test_a_patient_blocked_on_every_channel_is_held_and_staff_are_told(
    two: TwoChannels, db: Database, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = await _on_both(db, plan, clock, first="telegram")
    clock.advance(days=2)
    two.telegram.script[TELEGRAM_CHAT] = [BLOCKED]
    two.bale.script[BALE_CHAT] = [BLOCKED]
    assert await two.dispatcher.deliver_due() == 0
    patient = await db.run(patients.get, enrolment.patient_id)
    assert patient is not None and patient.status is PatientStatus.UNREACHABLE
    assert await db.run(alert_kinds) == ["unreachable"]
    states = await db.run(messages.of_appointment, enrolment.appointment_ids[0])
    assert {m.step: m.state for m in states}["pre_care"] is MessageState.PENDING


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sent", "timed_out", "refused", "blocked", "crash"]),
            st.booleans(),  # Telegram's health after this try
            # Minutes to the next run: eight runs stay within the 21 hours before day-of is
            # due, so pre-care is the only message sent.
            st.integers(min_value=1, max_value=150),
        ),
        min_size=1,
        max_size=8,
    )
)
async def test_never_on_both_channels_whatever_the_outcomes(
    tmp_path_factory: pytest.TempPathFactory,
    plan: CarePlan,
    events: list[tuple[str, bool, int]],
) -> None:
    """Whatever Telegram answers, crashes included, and however its health goes: each
    message reaches the patient on one channel at most, counting every send that may have
    arrived (a timeout or a crash after the request left count as arrived)."""
    db = Database(tmp_path_factory.mktemp("never-both") / "mesocare.db")
    await db.open()
    try:
        clock = FakeClock(datetime(2026, 12, 6, 7, 0, tzinfo=UTC))
        two = TwoChannels(db, plan, clock)
        await _on_both(db, plan, clock, first="telegram")
        clock.advance(days=2)
        maybe_arrived: set[tuple[str, str]] = set()  # (channel, text)
        for outcome, up, minutes in events:
            answer = {
                "sent": None,
                "timed_out": TIMED_OUT,
                "refused": REFUSED,
                "blocked": BLOCKED,
                "crash": None,
            }[outcome]
            if answer is not None:
                two.telegram.script[TELEGRAM_CHAT] = [answer]
            if outcome == "crash":
                claims = await db.run(message_life.claim_due, to_epoch(clock.now()), 25)
                for claim in claims:
                    route = claim.channel or claim.routes[0].channel
                    await db.run(message_life.pin_channel, claim, route)
                    maybe_arrived.add((route, two.composer.care_message(claim).text))
                await two.dispatcher.recover()
            else:
                tried = len(two.telegram.tried)
                await two.dispatcher.deliver_due()
                if outcome == "timed_out" and len(two.telegram.tried) > tried:
                    maybe_arrived.add(("telegram", two.telegram.last_text))
            if up:
                two.telegram_health.answered()
            else:
                two.telegram_health.failed("ConnectError: refused")
            clock.advance(minutes=minutes)
        maybe_arrived |= two.texts()
        texts = [text for _channel, text in maybe_arrived]
        assert len(texts) == len(set(texts)), maybe_arrived  # no text on two channels
    finally:
        await db.close()
