from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.core.reasons import Reason
from care.schedule.planning import (
    PlannedMessage,
    SessionTimes,
    plan_repeat,
    plan_session,
)
from care.schedule.protocol import (
    DEFAULT_PROTOCOL_PATH,
    CareProtocol,
    load_protocol,
    parse_protocol,
)
from care.schedule.quiet_hours import QuietHours

TEHRAN = ZoneInfo("Asia/Tehran")
BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = QuietHours(time(22, 0), time(8, 0))
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """The UTC instant at which the clocks in `tz` show this time."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def tehran(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return local(TEHRAN, year, month, day, hour, minute)


def session(start: datetime, minutes: int = 60, *, last: bool = False) -> SessionTimes:
    return SessionTimes(start, start + timedelta(minutes=minutes), last)


def plan(
    times: SessionTimes,
    now: datetime,
    *,
    tz: ZoneInfo = TEHRAN,
    protocol: CareProtocol = PROTOCOL,
    quiet: QuietHours = NIGHT,
) -> dict[str, PlannedMessage]:
    planned = plan_session(protocol, times, tz=tz, quiet=quiet, now=now)
    assert [m.due_at for m in planned] == sorted(m.due_at for m in planned)
    return {m.step: m for m in planned}


def brief(message: PlannedMessage) -> tuple[str, datetime, datetime, str | None]:
    return message.step, message.due_at, message.expires_at, message.skip_reason


def test_a_session_booked_well_ahead_in_tehran() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    planned = plan_session(
        PROTOCOL, session(start), tz=TEHRAN, quiet=NIGHT, now=start - timedelta(days=7)
    )
    assert [brief(m) for m in planned] == [
        ("pre_care", tehran(2026, 5, 9, 8, 0), start, None),
        # 07:00 is in quiet hours: the evening before, 30 minutes before they begin
        ("day_of", tehran(2026, 5, 9, 21, 30), start, None),
        ("post_care", tehran(2026, 5, 10, 11, 0), tehran(2026, 5, 11, 11, 0), None),
        ("wash_ok", tehran(2026, 5, 11, 11, 0), tehran(2026, 5, 12, 11, 0), None),
        ("check_in", tehran(2026, 5, 13, 11, 0), tehran(2026, 5, 15, 11, 0), None),
    ]
    assert all(m.due_at.tzinfo == UTC and m.expires_at.tzinfo == UTC for m in planned)
    # the latest useful moments: the 24-hour line, an hour before; the rest have none
    assert [m.in_time_by for m in planned] == [
        tehran(2026, 5, 9, 10, 0),
        tehran(2026, 5, 10, 9, 0),
        None,
        None,
        None,
    ]
    # ready when due: nothing waits for the morning
    assert [m.ready_at for m in planned] == [
        tehran(2026, 5, 9, 8, 0),
        tehran(2026, 5, 9, 21, 30),
        tehran(2026, 5, 10, 11, 0),
        tehran(2026, 5, 11, 11, 0),
        tehran(2026, 5, 13, 11, 0),
    ]


def test_follow_up_only_after_the_last_session() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    assert "follow_up" not in plan(session(start), start - timedelta(days=7))
    follow = plan(session(start, last=True), start - timedelta(days=7))["follow_up"]
    assert brief(follow) == (
        "follow_up",
        tehran(2026, 11, 10, 10, 0),
        tehran(2026, 12, 10, 10, 0),
        None,
    )


def test_follow_up_from_31_august_lands_on_the_last_day_of_february() -> None:
    start = tehran(2026, 8, 31, 16, 0)
    follow = plan(session(start, last=True), start - timedelta(days=1))["follow_up"]
    assert follow.due_at == tehran(2027, 2, 28, 10, 0)
    assert follow.expires_at == tehran(2027, 3, 30, 10, 0)


def test_a_late_evening_session() -> None:
    start = tehran(2026, 5, 10, 22, 0)
    planned = plan(session(start), start - timedelta(days=7))
    assert planned["pre_care"].due_at == tehran(2026, 5, 9, 20, 0)
    assert planned["day_of"].due_at == tehran(2026, 5, 10, 19, 0)
    # post-care ignores quiet hours: the patient needs it tonight
    assert planned["post_care"].due_at == tehran(2026, 5, 10, 23, 0)
    # wash-ok waits for the morning; its expiry does not move
    assert planned["wash_ok"].due_at == tehran(2026, 5, 12, 8, 0)
    assert planned["wash_ok"].expires_at == tehran(2026, 5, 12, 23, 0)
    assert planned["wash_ok"].ready_at == tehran(2026, 5, 11, 23, 0)  # only waits for morning
    # check-in expires two days after its unshifted due time
    assert planned["check_in"].due_at == tehran(2026, 5, 14, 8, 0)
    assert planned["check_in"].expires_at == tehran(2026, 5, 15, 23, 0)


def test_an_early_morning_session_gets_pre_care_the_evening_before_the_day_before() -> None:
    start = tehran(2026, 5, 10, 7, 0)  # 26 h before is 05:00, in quiet hours
    planned = plan(session(start), start - timedelta(days=7))
    assert planned["pre_care"].due_at == tehran(2026, 5, 8, 21, 30)
    assert planned["day_of"].due_at == tehran(2026, 5, 9, 21, 30)


def test_across_the_spring_dst_change_in_berlin() -> None:
    start = local(BERLIN, 2026, 3, 30, 10, 0)
    planned = plan(session(start), start - timedelta(days=7), tz=BERLIN)
    assert planned["pre_care"].due_at == local(BERLIN, 2026, 3, 29, 8, 0)
    assert planned["day_of"].due_at == local(BERLIN, 2026, 3, 29, 21, 30)


def test_across_the_autumn_dst_change_in_berlin() -> None:
    start = local(BERLIN, 2026, 10, 26, 9, 30)  # winter time; the clocks went back that night
    planned = plan(session(start), start - timedelta(days=7), tz=BERLIN)
    # 26 real hours before is 07:30 winter time, in quiet hours: 21:30 summer time, the day before
    assert planned["pre_care"].due_at == datetime(2026, 10, 24, 19, 30, tzinfo=UTC)
    assert planned["pre_care"].due_at == local(BERLIN, 2026, 10, 24, 21, 30)


def test_a_late_booking_goes_out_now() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    now = tehran(2026, 5, 10, 8, 30)
    planned = plan(session(start), now)
    assert brief(planned["pre_care"]) == ("pre_care", now, start, None)
    assert brief(planned["day_of"]) == ("day_of", now, start, None)
    assert planned["pre_care"].ready_at == now  # the booking came after its protocol time
    assert planned["post_care"].due_at == tehran(2026, 5, 10, 11, 0)


def test_a_late_booking_in_quiet_hours_waits_for_the_morning_only_if_still_in_time() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    now = tehran(2026, 5, 9, 23, 0)
    planned = plan(session(start), now)
    # the 24-hour line (09:00 yesterday) is behind us: pre-care at once, quiet hours or not
    assert planned["pre_care"].due_at == now
    # day-of is in time at 08:00 (its line is 09:00): the morning
    assert planned["day_of"].due_at == tehran(2026, 5, 10, 8, 0)
    assert planned["day_of"].ready_at == now  # a patient awake now may have it now


def test_booked_at_23_for_14_the_next_day_pre_care_goes_at_once() -> None:
    now = tehran(2026, 5, 9, 23, 0)
    planned = plan(session(tehran(2026, 5, 10, 14, 0)), now)
    assert planned["pre_care"].due_at == now  # not 08:00, six hours before the session
    assert planned["day_of"].due_at == tehran(2026, 5, 10, 11, 0)


def test_booked_in_quiet_hours_before_the_24_hour_line_waits_only_until_it() -> None:
    # 21:00-09:00: pre-care's earlier slot (20:30) has passed when booked at 21:30; the
    # morning (09:00) is still on the line for a session at 09:00 the day after; for 08:30 it
    # is past the line, so pre-care goes at once.
    window = QuietHours(time(21, 0), time(9, 0))
    now = tehran(2026, 5, 8, 21, 30)
    on_the_line = plan(session(tehran(2026, 5, 10, 9, 0)), now, quiet=window)["pre_care"]
    assert on_the_line.due_at == tehran(2026, 5, 9, 9, 0) == on_the_line.in_time_by
    past_the_line = plan(session(tehran(2026, 5, 10, 8, 30)), now, quiet=window)["pre_care"]
    assert past_the_line.due_at == now


def test_later_never_waits_past_in_time_by() -> None:
    protocol = parse_protocol(
        '[steps.bring]\nwhen = "start - 12h"\nin_time_by = "start - 10h"\nexpires = "start"\n'
        'quiet_hours = "later"\n',
        source="test",
    )
    # 12 h before a 10:00 session is 22:00: the morning would be 2 h before, past the line
    planned = plan(session(tehran(2026, 5, 10, 10, 0)), tehran(2026, 5, 1, 9, 0), protocol=protocol)
    assert planned["bring"].due_at == tehran(2026, 5, 9, 22, 0)
    # for a 20:00 session it is 08:00, outside quiet hours anyway
    planned = plan(session(tehran(2026, 5, 10, 20, 0)), tehran(2026, 5, 1, 9, 0), protocol=protocol)
    assert planned["bring"].due_at == tehran(2026, 5, 10, 8, 0)


def test_a_late_booking_in_quiet_hours_goes_now_if_the_morning_is_too_late() -> None:
    start = tehran(2026, 5, 10, 7, 30)  # before quiet hours end
    now = tehran(2026, 5, 9, 23, 0)
    assert plan(session(start), now)["pre_care"].due_at == now


def test_post_care_ignores_quiet_hours_when_late_too() -> None:
    start = tehran(2026, 5, 10, 21, 0)
    now = tehran(2026, 5, 10, 23, 0)  # staff enter the session after it ended
    assert brief(plan(session(start), now)["post_care"]) == (
        "post_care",
        now,
        tehran(2026, 5, 11, 22, 0),
        None,
    )


def test_an_expired_message_is_skipped_with_a_reason() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    planned = plan(session(start), start + timedelta(minutes=30))
    pre = planned["pre_care"]
    assert pre.skip_reason is Reason.BOOKED_TOO_LATE
    assert pre.expires_at == tehran(2026, 5, 10, 10, 0)  # useless from the start
    assert pre.due_at == tehran(2026, 5, 9, 8, 0)
    assert planned["day_of"].skip_reason is not None
    assert planned["post_care"].skip_reason is None
    assert planned["post_care"].due_at == tehran(2026, 5, 10, 11, 0)


def test_expiry_is_exclusive() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    assert plan(session(start), start)["pre_care"].skip_reason is not None
    assert plan(session(start), start - timedelta(seconds=1))["pre_care"].skip_reason is None


def test_later_keeps_the_unshifted_time_when_the_morning_would_be_too_late() -> None:
    protocol = parse_protocol(
        '[steps.short]\nwhen = "end"\nexpires = "end + 2h"\nquiet_hours = "later"\n', source="test"
    )
    start = tehran(2026, 5, 10, 22, 0)
    planned = plan(session(start), start - timedelta(days=1), protocol=protocol)
    assert planned["short"].due_at == tehran(2026, 5, 10, 23, 0)


def test_plan_repeat_six_months_on_at_ten() -> None:
    follow = PROTOCOL.step("follow_up")
    again = plan_repeat(follow, previous_due=tehran(2027, 2, 28, 10, 0), tz=TEHRAN, quiet=NIGHT)
    assert again.due_at == again.ready_at == tehran(2027, 8, 28, 10, 0)
    assert again.expires_at == tehran(2027, 9, 27, 10, 0)
    assert again.in_time_by is None


def test_plan_repeat_respects_quiet_hours_and_keeps_expiry() -> None:
    protocol = parse_protocol(
        '[steps.late]\nwhen = "end + 1mo at 23:00"\nexpires = "due + 3d"\nrepeat = "1mo"\n',
        source="test",
    )
    again = plan_repeat(
        protocol.step("late"), previous_due=local(BERLIN, 2026, 1, 31, 8, 0), tz=BERLIN, quiet=NIGHT
    )
    assert again.due_at == local(BERLIN, 2026, 3, 1, 8, 0)
    assert again.ready_at == local(BERLIN, 2026, 2, 28, 23, 0)
    assert again.expires_at == local(BERLIN, 2026, 3, 3, 23, 0)


def test_plan_repeat_needs_a_repeating_step() -> None:
    with pytest.raises(ValueError, match="check_in"):
        plan_repeat(
            PROTOCOL.step("check_in"),
            previous_due=tehran(2026, 1, 1, 10, 0),
            tz=TEHRAN,
            quiet=NIGHT,
        )


def test_session_times_are_checked() -> None:
    start = tehran(2026, 5, 10, 10, 0)
    with pytest.raises(ValueError, match="end before"):
        SessionTimes(start, start - timedelta(minutes=1), False)
    with pytest.raises(ValueError, match="naive"):
        SessionTimes(datetime(2026, 5, 10, 10, 0), start, False)


clocks = st.builds(time, st.integers(18, 23), st.integers(0, 59))


@given(
    start=st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
    minutes=st.integers(5, 600),
    last=st.booleans(),
    booked_before=st.integers(-3 * 24 * 60, 10 * 24 * 60),
    tz=st.sampled_from([TEHRAN, BERLIN, ZoneInfo("America/New_York")]),
    quiet=st.builds(QuietHours, clocks, st.builds(time, st.integers(5, 9), st.integers(0, 59))),
)
def test_planning_invariants(
    start: datetime, minutes: int, last: bool, booked_before: int, tz: ZoneInfo, quiet: QuietHours
) -> None:
    times = session(start, minutes, last=last)
    now = start - timedelta(minutes=booked_before)
    planned = plan(times, now, tz=tz, quiet=quiet)
    assert ("follow_up" in planned) is last
    for message in planned.values():
        if message.skip_reason is None:
            assert now <= message.due_at < message.expires_at
            if message.due_at > now and PROTOCOL.step(message.step).quiet_hours != "ignore":
                assert not quiet.contains(message.due_at, tz)
        else:
            assert message.expires_at <= now
    post = planned["post_care"]
    assert post.due_at >= times.ends_at
    if booked_before >= 4 * 24 * 60:
        assert planned["pre_care"].due_at <= start - timedelta(hours=26)
