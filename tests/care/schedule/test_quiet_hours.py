from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.schedule.quiet_hours import QuietHours

TEHRAN = ZoneInfo("Asia/Tehran")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = QuietHours(time(22, 0), time(8, 0))


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """The UTC instant at which the clocks in `tz` show this time."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-08:00", NIGHT),
        (" 22:00 - 08:00 ", NIGHT),
        ("9:30-10:00", QuietHours(time(9, 30), time(10, 0))),
        ("00:00-00:00", QuietHours(time(0, 0), time(0, 0))),
    ],
)
def test_parse(text: str, expected: QuietHours) -> None:
    assert QuietHours.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["", "22-08", "22:00", "22:00-24:00", "25:00-08:00", "22:00-08:60", "22.00-08.00"]
)
def test_parse_refuses_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="22:00-08:00"):
        QuietHours.parse(text)


@pytest.mark.parametrize(
    ("clock", "inside"),
    [
        ((21, 59), False),
        ((22, 0), True),
        ((23, 30), True),
        ((0, 0), True),
        ((7, 59), True),
        ((8, 0), False),
    ],
)
def test_contains_a_window_across_midnight(clock: tuple[int, int], inside: bool) -> None:
    assert NIGHT.contains(local(TEHRAN, 2026, 5, 10, *clock), TEHRAN) is inside


def test_contains_uses_the_clinic_clock_not_utc() -> None:
    at = datetime(2026, 5, 10, 19, 0, tzinfo=UTC)  # 22:30 in Tehran, 21:00 in Berlin
    assert NIGHT.contains(at, TEHRAN)
    assert not NIGHT.contains(at, BERLIN)


def test_a_window_within_one_day() -> None:
    window = QuietHours(time(13, 0), time(15, 0))
    assert window.contains(local(TEHRAN, 2026, 5, 10, 14, 0), TEHRAN)
    assert not window.contains(local(TEHRAN, 2026, 5, 10, 15, 0), TEHRAN)
    assert window.move_earlier(local(TEHRAN, 2026, 5, 10, 14, 0), TEHRAN) == local(
        TEHRAN, 2026, 5, 10, 12, 30
    )
    assert window.move_later(local(TEHRAN, 2026, 5, 10, 13, 0), TEHRAN) == local(
        TEHRAN, 2026, 5, 10, 15, 0
    )


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    none = QuietHours(time(22, 0), time(22, 0))
    at = local(TEHRAN, 2026, 5, 10, 22, 0)
    assert not none.contains(at, TEHRAN)
    assert none.move_earlier(at, TEHRAN) == at
    assert none.move_later(at, TEHRAN) == at


@pytest.mark.parametrize(
    ("at", "earlier", "later"),
    [
        # late evening: the window started this evening and ends tomorrow morning
        ((2026, 5, 10, 23, 15), (2026, 5, 10, 21, 30), (2026, 5, 11, 8, 0)),
        # small hours: the window started the evening before
        ((2026, 5, 11, 3, 0), (2026, 5, 10, 21, 30), (2026, 5, 11, 8, 0)),
        ((2026, 5, 11, 0, 0), (2026, 5, 10, 21, 30), (2026, 5, 11, 8, 0)),
        ((2026, 5, 10, 22, 0), (2026, 5, 10, 21, 30), (2026, 5, 11, 8, 0)),
        # outside: unchanged
        ((2026, 5, 10, 21, 45), (2026, 5, 10, 21, 45), (2026, 5, 10, 21, 45)),
        ((2026, 5, 11, 8, 0), (2026, 5, 11, 8, 0), (2026, 5, 11, 8, 0)),
    ],
)
def test_moves_in_tehran(
    at: tuple[int, ...], earlier: tuple[int, ...], later: tuple[int, ...]
) -> None:
    moment = local(TEHRAN, *at)
    assert NIGHT.move_earlier(moment, TEHRAN) == local(TEHRAN, *earlier)
    assert NIGHT.move_later(moment, TEHRAN) == local(TEHRAN, *later)


def test_moves_return_utc() -> None:
    at = datetime(2026, 5, 10, 23, 0, tzinfo=TEHRAN)
    assert NIGHT.move_earlier(at, TEHRAN).tzinfo == UTC
    assert NIGHT.move_later(at, TEHRAN).tzinfo == UTC
    assert NIGHT.move_later(at.replace(hour=12), TEHRAN).tzinfo == UTC


def test_moves_across_the_spring_dst_change() -> None:
    at = local(BERLIN, 2026, 3, 29, 3, 30)  # summer time began at 02:00 that night
    assert NIGHT.move_earlier(at, BERLIN) == datetime(2026, 3, 28, 20, 30, tzinfo=UTC)  # 21:30 CET
    assert NIGHT.move_later(at, BERLIN) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST


def test_moves_across_the_autumn_dst_change() -> None:
    at = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the clocks go back
    assert NIGHT.move_earlier(at, BERLIN) == datetime(
        2026, 10, 24, 19, 30, tzinfo=UTC
    )  # 21:30 CEST
    assert NIGHT.move_later(at, BERLIN) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET


def test_a_repeated_end_time_moves_past_both() -> None:
    window = QuietHours(time(22, 0), time(2, 30))
    first_pass = datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # 02:10 CEST; 02:10 CET comes again
    assert window.move_later(first_pass, BERLIN) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )  # 02:30 CET


def test_earlier_when_the_target_time_is_skipped_by_dst() -> None:
    # Outside this window only 02:00-02:50, and on 29 March 2026 those clocks never show.
    window = QuietHours(time(2, 50), time(2, 0))
    at = local(BERLIN, 2026, 3, 29, 3, 30)
    moved = window.move_earlier(at, BERLIN)
    assert not window.contains(moved, BERLIN)
    shown = moved.astimezone(BERLIN)
    assert shown.date().isoformat() == "2026-03-28"
    assert time(2, 0) <= shown.time() < time(2, 50)


def test_later_when_the_target_time_is_skipped_by_dst() -> None:
    window = QuietHours(time(3, 0), time(2, 30))
    at = local(BERLIN, 2026, 3, 29, 1, 0)
    moved = window.move_later(at, BERLIN)
    assert not window.contains(moved, BERLIN)
    shown = moved.astimezone(BERLIN)
    assert shown.date().isoformat() == "2026-03-30"
    assert time(2, 30) <= shown.time() < time(3, 0)


def test_a_short_gap_moves_to_the_end_of_the_previous_window() -> None:
    window = QuietHours(time(0, 10), time(0, 0))  # quiet all day but 00:00-00:10
    at = local(TEHRAN, 2026, 5, 10, 12, 0)
    assert window.move_earlier(at, TEHRAN) == local(TEHRAN, 2026, 5, 10, 0, 0)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        NIGHT.contains(datetime(2026, 5, 10, 23, 0), TEHRAN)


clocks = st.builds(time, st.integers(0, 23), st.integers(0, 59))
windows = st.builds(QuietHours, clocks, clocks)
instants = st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC))
zones = st.sampled_from([TEHRAN, BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe")])


@given(window=windows, at=instants, tz=zones)
def test_moves_never_land_inside_and_go_the_right_way(
    window: QuietHours, at: datetime, tz: ZoneInfo
) -> None:
    earlier = window.move_earlier(at, tz)
    later = window.move_later(at, tz)
    assert not window.contains(earlier, tz)
    assert not window.contains(later, tz)
    if window.contains(at, tz):
        assert earlier < at < later
    else:
        assert earlier == later == at


@given(window=windows, at=instants)
def test_without_dst_the_moves_are_exact(window: QuietHours, at: datetime) -> None:
    if not window.contains(at, TEHRAN):
        return
    earlier, later = window.move_earlier(at, TEHRAN), window.move_later(at, TEHRAN)
    assert later.astimezone(TEHRAN).time() == window.end
    assert window.contains(later - timedelta(minutes=1), TEHRAN)
    assert at - earlier < timedelta(days=1)
    assert later - at <= timedelta(days=1)
    margin = min(timedelta(minutes=30), gap(window))
    assert window.contains(earlier + margin, TEHRAN)
    assert not window.contains(earlier + margin - timedelta(minutes=1), TEHRAN)


def gap(window: QuietHours) -> timedelta:
    start = timedelta(hours=window.start.hour, minutes=window.start.minute)
    end = timedelta(hours=window.end.hour, minutes=window.end.minute)
    return (start - end) % timedelta(days=1)
