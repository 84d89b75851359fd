"""The heartbeat file: touched at most once a second, owner-only, and a failed touch never
stops delivery."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.heartbeat import Heartbeat, age, stale_after


class Ticks:
    def __init__(self) -> None:
        self.at = 100.0

    def __call__(self) -> float:
        return self.at


def test_a_beat_touches_the_file_at_most_once_a_second(tmp_path: Path) -> None:
    path = tmp_path / "mesocare.db.heartbeat"
    ticks = Ticks()
    beat = Heartbeat(path, clock=ticks)
    assert age(path, 0.0) is None
    beat.beat()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.utime(path, (1_000.0, 1_000.0))
    ticks.at += 0.5
    beat.beat()  # too soon: left alone
    assert age(path, 1_010.0) == pytest.approx(10.0)
    ticks.at += 0.6
    beat.beat()
    fresh = age(path, path.stat().st_mtime + 0.25)
    assert fresh == pytest.approx(0.25)
    assert path.stat().st_mtime > 1_000.0


def test_a_beat_that_cannot_be_written_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks()
    beat = Heartbeat(tmp_path / "missing-folder" / "heartbeat", clock=ticks)
    with caplog.at_level(logging.WARNING, logger="jobs.heartbeat"):
        for _ in range(3):
            beat.beat()
            ticks.at += 2
    assert len(caplog.records) == 1
    assert "heartbeat" in caplog.records[0].getMessage()


@given(
    poll=st.floats(min_value=0.2, max_value=300),
    timeout=st.floats(min_value=0.1, max_value=120),
)
def test_stale_means_several_safety_ticks_and_one_slow_send_missed(
    poll: float, timeout: float
) -> None:
    limit = stale_after(poll, timeout)
    assert limit >= 3 * poll  # a healthy idle bot beats every tick: never stale
    assert limit > timeout  # one send as slow as Telegram may be: never stale
    assert limit == pytest.approx(3 * poll + timeout)
