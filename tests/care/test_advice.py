"""/care: which instructions apply right now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from care.advice import current_advice
from care.models import Appointment, AppointmentStatus

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
    assert current_advice(sessions, NOW) == key
