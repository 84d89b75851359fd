"""/care: which instructions apply right now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.core.models import Appointment, AppointmentStatus
from care.schedule.advice import WARNING_SIGNS, current_advice

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def session(starts_in: timedelta, status: AppointmentStatus) -> Appointment:
    starts = NOW + starts_in
    return Appointment(1, 1, starts, starts + timedelta(hours=1), 1, 1, None, status)


BOOKED, DONE = AppointmentStatus.BOOKED, AppointmentStatus.DONE
CANCELLED, NO_SHOW = AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW


@pytest.mark.parametrize(
    ("sessions", "key"),
    [
        ([], "care.general"),
        ([session(timedelta(days=5), BOOKED)], "care.before"),
        ([session(timedelta(hours=2), BOOKED)], "care.before"),
        ([session(timedelta(days=5), CANCELLED)], "care.general"),
        ([session(timedelta(hours=-3), DONE)], "care.after_24h"),  # ended 2 h ago
        ([session(timedelta(hours=-24), DONE)], "care.after_24h"),  # ended 23 h ago
        ([session(timedelta(hours=-25), DONE)], "care.general"),  # ended exactly 24 h ago
        ([session(timedelta(hours=-3), NO_SHOW)], "care.general"),
        ([session(timedelta(days=-30), DONE)], "care.general"),
        # the 24 hours after one session come before the run-up to the next
        (
            [session(timedelta(hours=-3), DONE), session(timedelta(days=14), BOOKED)],
            "care.after_24h",
        ),
        ([session(timedelta(days=-20), DONE), session(timedelta(days=14), BOOKED)], "care.before"),
    ],
)
def test_the_advice_that_applies(sessions: list[Appointment], key: str) -> None:
    assert current_advice(sessions, NOW)[0] == key


@given(
    ended=st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=30)),
    status=st.sampled_from(list(AppointmentStatus)),
)
def test_the_warning_signs_follow_a_held_session_for_two_weeks(
    ended: timedelta, status: AppointmentStatus
) -> None:
    """Shown from the end of a held session until 14 days later, whatever else applies."""
    appointment = session(-ended - timedelta(hours=1), status)  # it ended `ended` ago
    keys = current_advice([appointment], NOW)
    held = status in (BOOKED, DONE)
    shown = held and timedelta(0) <= ended < timedelta(days=14)
    assert keys == ((keys[0], WARNING_SIGNS) if shown else (keys[0],))
    assert keys[0] != WARNING_SIGNS


def test_the_warning_signs_come_under_the_run_up_to_the_next_session() -> None:
    course = [session(timedelta(days=-5), DONE), session(timedelta(days=9), BOOKED)]
    assert current_advice(course, NOW) == ("care.before", WARNING_SIGNS)
