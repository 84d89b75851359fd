"""The sender against a real database and a recording transport: states, retries, alerts."""

from __future__ import annotations

from datetime import timedelta

from care.core.models import MessageState, PatientStatus
from care.db import messages, patients
from care.db.worker import Database
from care.people.enrolment import Booking, enrol
from care.people.invites import redeem_invite
from care.people.patient_choices import come_back
from care.schedule.plan import CarePlan
from jobs.delivery import Dispatcher
from jobs.outcome import Outcome, SendResult
from jobs.retry import RetryPolicy
from tests.conftest import FakeClock
from tests.factories import linked_patient, message_states
from tests.jobs.support import Alerts, RecordingTransport, alert_kinds


async def test_nothing_is_sent_before_it_is_due(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    await db.run(linked_patient, plan, clock.now(), chat_id=501)
    assert await dispatcher.deliver_due() == 0
    assert transport.sent == []


async def test_a_due_message_is_sent_once_in_the_patients_chat(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2)  # 24 h before the start: pre-care (due 26 h before) is due
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 0
    chat_id, outgoing = transport.sent[0]
    assert chat_id == 501
    assert "aspirin" in outgoing.text.lower()
    assert len(outgoing.buttons) == 4
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.SENT


async def test_an_unlinked_patient_gets_nothing_until_they_link(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(hours=10), "en")
    enrolment = await db.run(enrol, booking, plan=plan, actor="t", invite_days=14, now=clock.now())
    await dispatcher.deliver_due()
    assert transport.sent == []
    await db.run(redeem_invite, enrolment.token, chat_id=777, now=clock.now())
    await dispatcher.deliver_due()  # a late booking: pre-care goes out as soon as they link
    assert [chat for chat, _ in transport.sent] == [777]


async def test_a_message_useless_after_downtime_is_skipped_not_sent_late(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=3, hours=2)  # the bot was off until after the appointment
    await dispatcher.deliver_due()
    sent_texts = [o.text.lower() for _, o in transport.sent]
    assert not any("aspirin" in t for t in sent_texts)
    found = await db.run(messages.of_appointment, enrolment.appointment_ids[0])
    pre = next(m for m in found if m.step == "pre_care")
    assert pre.state is MessageState.SKIPPED
    assert pre.reason is not None and "expired" in pre.reason


async def test_a_crash_mid_send_costs_at_most_one_duplicate(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    enrolment = await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2)
    claims = await db.run(messages.claim_due, int(clock.now().timestamp()), 10)
    assert [c.step for c in claims] == ["pre_care"]  # claimed, then the process "dies"
    assert await dispatcher.recover() == 1
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 0
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.SENT


async def test_network_trouble_retries_then_gives_up_and_tells_staff(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    enrolment = await db.run(
        linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10)
    )
    clock.advance(days=8, hours=22)  # pre-care due, appointment still a day away
    transport.script[501] = [Outcome(SendResult.TRANSIENT, "TimedOut")] * RetryPolicy().max_attempts
    for _ in range(RetryPolicy().max_attempts):
        await dispatcher.deliver_due()
        clock.advance(minutes=11)
    found = await db.run(messages.of_appointment, enrolment.appointment_ids[0])
    pre = next(m for m in found if m.step == "pre_care")
    assert pre.state is MessageState.FAILED
    assert pre.attempts == RetryPolicy().max_attempts
    assert await db.run(alert_kinds) == ["delivery_failed"]
    assert alerts.pokes == 1
    assert transport.sent == []


async def test_a_blocked_bot_holds_the_patients_messages_and_alerts_once(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
    alerts: Alerts,
) -> None:
    enrolment = await db.run(linked_patient, plan, clock.now(), chat_id=501)
    clock.advance(days=2)
    transport.script[501] = [
        Outcome(SendResult.UNREACHABLE, "Forbidden: bot was blocked by the user")
    ]
    await dispatcher.deliver_due()
    await dispatcher.deliver_due()
    patient = await db.run(patients.get, enrolment.patient_id)
    assert patient is not None and patient.status is PatientStatus.UNREACHABLE
    assert await db.run(alert_kinds) == ["unreachable"]
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.PENDING
    assert await db.run(come_back, 501, now=clock.now()) is not None  # /start again
    assert await dispatcher.deliver_due() == 1


async def test_after_downtime_in_quiet_hours_only_what_is_still_in_time_waits(
    dispatcher: Dispatcher,
    db: Database,
    plan: CarePlan,
    clock: FakeClock,
    transport: RecordingTransport,
) -> None:
    # 10 days ahead at 10:30 Tehran; pre-care planned for the day before at 08:30 Tehran.
    # day-of (07:30 Tehran, in quiet hours) was moved to 21:30 the evening before.
    enrolment = await db.run(
        linked_patient, plan, clock.now(), chat_id=501, starts_in=timedelta(days=10)
    )
    clock.advance(days=9, hours=12, minutes=30)  # back at 23:00 Tehran that day: quiet hours
    # pre-care's 24-hour line (10:30 that morning) has passed: it goes at once, even now
    assert await dispatcher.deliver_due() == 1
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["pre_care"] is MessageState.SENT
    # day-of is still in time at 08:00 (its line is 09:30): it waits for the morning
    assert states["day_of"] is MessageState.PENDING
    clock.advance(hours=9, minutes=1)  # 08:01 Tehran, still before the appointment
    assert await dispatcher.deliver_due() == 1
    states = await db.run(message_states, enrolment.appointment_ids[0])
    assert states["day_of"] is MessageState.SENT
