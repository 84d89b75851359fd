"""A channel's health: one log line per change of state, waits that grow while it is down."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.channels.health import Backoff, ChannelHealth, HealthState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@given(st.integers(min_value=1, max_value=200))
def test_the_wait_grows_with_each_failure_and_stops_at_the_cap(failures: int) -> None:
    backoff = Backoff()
    assert backoff.wait(failures) <= backoff.wait(failures + 1) <= backoff.cap_seconds
    assert backoff.wait(1) == backoff.first_seconds


@given(st.lists(st.booleans(), max_size=60))
def test_only_changes_of_state_are_logged(answers: list[bool]) -> None:
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("jobs.channels.health")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        health = ChannelHealth("Telegram", now=Clock())
        for answered in answers:
            health.answered() if answered else health.failed("refused")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    changes = sum(
        1 for before, after in zip([True, *answers], answers, strict=False) if before != after
    )
    assert len(logged) == changes


def test_down_then_back_keeps_since_when_and_why_and_waits_longer_each_time() -> None:
    clock = Clock()
    health = ChannelHealth("Telegram", now=clock)
    seen: list[HealthState] = []
    health.on_change(seen.append)
    assert health.retry_in() == 0
    health.failed("ConnectError: refused")
    assert health.state.down_since == 1000.0
    assert health.retry_in() == pytest.approx(2.0)
    clock.now += 2
    health.failed("ConnectError: refused")
    assert health.retry_in() == pytest.approx(4.0)
    assert health.state.down_since == 1000.0  # since the first failure, not the last
    assert health.state.last_error == "ConnectError: refused"
    health.answered()
    assert health.reachable and health.retry_in() == 0 and health.state.down_since is None
    assert [state.reachable for state in seen] == [False, True]
