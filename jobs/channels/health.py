"""Whether a channel (Telegram, say) can be reached now: a state, never a crash.

Every request to the channel reports here: an answer of any kind means the channel is
reachable, a request that could not get through (refused, reset, timed out, the proxy down)
means it is not. The state changes are the only thing logged, one line each, so an outage of
hours is two lines in the log, not a traceback per retry. While the channel is down the sender
waits `retry_in()` seconds between tries, a wait that grows with each failure up to a cap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """First wait, growth factor and cap of the waits between tries while a channel is down."""

    first_seconds: float = 2.0
    factor: float = 2.0
    cap_seconds: float = 300.0

    def wait(self, failures: int) -> float:
        """The wait after the `failures`-th failure in a row (1 = the first)."""
        steps = max(failures - 1, 0)
        return min(self.cap_seconds, self.first_seconds * self.factor ** min(steps, 64))


@dataclass(frozen=True)
class HealthState:
    reachable: bool
    down_since: float | None  # monotonic seconds
    last_error: str | None


class ChannelHealth:
    def __init__(
        self,
        name: str,
        *,
        backoff: Backoff | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._backoff = backoff or Backoff()
        self._now = now
        self._reachable = True
        self._down_since: float | None = None
        self._last_error: str | None = None
        self._failures = 0
        self._last_failure_at = 0.0
        self._on_change: list[Callable[[HealthState], None]] = []

    @property
    def state(self) -> HealthState:
        return HealthState(self._reachable, self._down_since, self._last_error)

    @property
    def reachable(self) -> bool:
        return self._reachable

    def on_change(self, listener: Callable[[HealthState], None]) -> None:
        """Call `listener` after every change of state (down, or back up)."""
        self._on_change.append(listener)

    def answered(self) -> None:
        """A request got an answer (any answer: a refusal is an answer too)."""
        if self._reachable:
            return
        down_for = self._now() - (self._down_since or self._now())
        self._reachable = True
        self._down_since = None
        self._failures = 0
        log.info("%s is reachable again after %s down", self.name, _duration(down_for))
        self._changed()

    def failed(self, error: str) -> None:
        """A request could not get through."""
        self._last_error = error
        self._failures += 1
        self._last_failure_at = self._now()
        if not self._reachable:
            return
        self._reachable = False
        self._down_since = self._last_failure_at
        log.warning(
            "%s cannot be reached (%s); the bot keeps running and tries again with growing waits",
            self.name,
            error,
        )
        self._changed()

    def retry_in(self) -> float:
        """Seconds until the next try is due; 0 while the channel is reachable."""
        if self._reachable:
            return 0.0
        due = self._last_failure_at + self._backoff.wait(self._failures)
        return max(due - self._now(), 0.0)

    def _changed(self) -> None:
        for listener in self._on_change:
            listener(self.state)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
