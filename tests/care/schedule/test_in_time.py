"""Property tests of issue 9's rule, for every quiet-hours window: a message that must arrive
before something (pre-care, day-of) is never held past its `in_time_by`, neither when it is
planned nor when the sender finds it due after downtime or a late link; once that moment has
passed it goes at once, quiet hours or not; it never wakes anyone unless it could not
otherwise arrive in time or the patient is awake; and it is never sent after its expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from care.schedule.planning import (
    PlannedMessage,
    SessionTimes,
    can_wait_until,
    plan_session,
    quiet_hours_hold,
)
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol
from care.schedule.quiet_hours import QuietHours

PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
IN_TIME_STEPS = ("pre_care", "day_of")
WINDOWS = [
    QuietHours.parse(text)
    for text in (
        "22:00-08:00",
        "23:00-07:00",
        "21:00-09:00",
        "00:00-06:00",
        "20:00-10:00",
        "00:00-00:00",  # none at all
    )
]
ZONES = [ZoneInfo("Asia/Tehran"), ZoneInfo("Europe/Berlin")]

starts = st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)).map(
    lambda at: at.replace(second=0, microsecond=0)
)
windows = st.sampled_from(WINDOWS) | st.builds(
    QuietHours,
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
)
# Booked from 5 days before the session to the moment it starts, to the minute.
booked_before = st.integers(0, 5 * 24 * 60)
# How long after a message fell due the sender first finds it (downtime, a late link).
found_after = st.integers(0, 3 * 24 * 60)


def _plan(start: datetime, now: datetime, tz: ZoneInfo, quiet: QuietHours) -> list[PlannedMessage]:
    session = SessionTimes(start, start + timedelta(minutes=60), False)
    return plan_session(PROTOCOL, session, tz=tz, quiet=quiet, now=now)


def _in_time_by(message: PlannedMessage) -> datetime:
    assert message.in_time_by is not None
    return message.in_time_by


@given(start=starts, before=booked_before, tz=st.sampled_from(ZONES), quiet=windows)
def test_planning_never_holds_past_the_line(
    start: datetime, before: int, tz: ZoneInfo, quiet: QuietHours
) -> None:
    now = start - timedelta(minutes=before)
    planned = {m.step: m for m in _plan(start, now, tz, quiet)}
    pre = planned["pre_care"]
    assert _in_time_by(pre) == start - timedelta(hours=24)
    if pre.skip_reason is None:
        # sent no later than max(booking, start - 24h); booked after the line: at once
        assert pre.due_at <= max(now, start - timedelta(hours=24))
    for key in IN_TIME_STEPS:
        message = planned[key]
        line = _in_time_by(message)
        if message.skip_reason is not None:
            assert message.expires_at <= now
            continue
        assert now <= message.due_at < message.expires_at
        assert message.due_at <= line if now <= line else message.due_at == now
        assert message.ready_at <= max(message.due_at, now)
        if quiet.contains(message.due_at, tz):
            # it wakes someone only because waiting for the morning would be too late
            assert message.due_at == now
            morning = quiet.move_later(now, tz)
            assert not can_wait_until(morning, expires_at=message.expires_at, in_time_by=line)


@given(
    start=starts,
    before=booked_before,
    found=found_after,
    awake=st.booleans(),
    tz=st.sampled_from(ZONES),
    quiet=windows,
)
def test_the_sender_never_holds_past_the_line_after_downtime_or_a_late_link(
    start: datetime, before: int, found: int, awake: bool, tz: ZoneInfo, quiet: QuietHours
) -> None:
    booked = start - timedelta(minutes=before)
    for message in _plan(start, booked, tz, quiet):
        if message.skip_reason is not None:
            continue
        policy = PROTOCOL.step(message.step).quiet_hours
        at = message.due_at + timedelta(minutes=found)  # the sender's first look
        if at >= message.expires_at:
            continue  # skipped as expired: never sent late
        hold = quiet_hours_hold(
            policy,
            now=at,
            expires_at=message.expires_at,
            in_time_by=message.in_time_by,
            awake=awake,
            tz=tz,
            quiet=quiet,
        )
        sent = at if hold is None else hold
        assert at <= sent < message.expires_at
        if hold is not None:
            assert not awake
            # at the morning it goes: no second hold
            again = quiet_hours_hold(
                policy,
                now=hold,
                expires_at=message.expires_at,
                in_time_by=message.in_time_by,
                awake=False,
                tz=tz,
                quiet=quiet,
            )
            assert again is None
        if awake:
            assert sent == at  # an awake patient gets it at once
        if message.in_time_by is not None:
            assert sent <= message.in_time_by if at <= message.in_time_by else sent == at
        if policy != "ignore" and quiet.contains(sent, tz):
            morning = quiet.move_later(sent, tz)
            in_time = can_wait_until(
                morning, expires_at=message.expires_at, in_time_by=message.in_time_by
            )
            assert awake or not in_time
