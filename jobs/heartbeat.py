"""A file the running bot touches while delivery works, so a monitor (a cron script, the
container's health check, `python -m bot check --live`) can tell a running, delivering bot from
a hung or a dead one by the file's age alone.

It is touched on every pass of the sender and after every send attempt, so a long backlog keeps
it fresh, and an idle bot touches it at each safety tick (every POLL_SECONDS).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

TICKS_MISSED = 3  # safety ticks a bot may miss (a slow disk, a busy loop) before it is stale


def stale_after(poll_seconds: float, request_timeout: float) -> float:
    """Seconds without a beat after which the bot counts as hung: a few safety ticks, plus one
    send that took as long as Telegram may take."""
    return TICKS_MISSED * poll_seconds + request_timeout


def age(path: Path, now: float) -> float | None:
    """Seconds since the last beat (wall clock, as `time.time()`); None when there is none."""
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return None


class Heartbeat:
    """Touches `path`, at most once every `every` seconds (sending may call it 28 times a
    second). A failed touch is logged once and never stops delivery."""

    def __init__(
        self, path: Path, *, every: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._path = path
        self._every = every
        self._clock = clock
        self._last: float | None = None
        self._warned = False

    def beat(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._every:
            return
        try:
            self._path.touch(mode=0o600)
        except OSError as error:
            if not self._warned:
                log.warning("cannot touch the heartbeat file %s: %s", self._path, error.strerror)
                self._warned = True
            return
        self._last = now
