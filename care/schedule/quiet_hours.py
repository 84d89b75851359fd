"""Quiet hours: the nightly window, on the clinic's clocks, in which nothing non-urgent is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from care.core.clock_window import parse_clock_window

_MARGIN = timedelta(minutes=30)  # how long before quiet hours an earlier message goes
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class QuietHours:
    """[start, end) in clinic-local time; may wrap midnight (22:00-08:00); start == end: none."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read "22:00-08:00" (24-hour clock)."""
        start, end = parse_clock_window(text, what="quiet hours", example="22:00-08:00")
        return cls(start, end)

    @property
    def _wraps(self) -> bool:
        return self.end < self.start

    def contains(self, at_utc: datetime, tz: ZoneInfo) -> bool:
        return self._contains_clock(_aware(at_utc).astimezone(tz).time())

    def move_earlier(self, at_utc: datetime, tz: ZoneInfo) -> datetime:
        """A time inside the window moves to 30 minutes before the window began (21:30 for
        22:00-08:00), or to the window's previous end if the daily gap is shorter than that."""
        if not self.contains(at_utc, tz):
            return at_utc.astimezone(UTC)
        local = at_utc.astimezone(tz)
        began_on = local.date() - _DAY if self._wraps and local.time() < self.end else local.date()
        wall = datetime.combine(began_on, self.start) - min(_MARGIN, self._gap())
        return self._step_out(min(_instants(wall, tz)), tz, -_MARGIN)

    def move_later(self, at_utc: datetime, tz: ZoneInfo) -> datetime:
        """A time inside the window moves to the window's end (08:00) on the right morning."""
        if not self.contains(at_utc, tz):
            return at_utc.astimezone(UTC)
        local = at_utc.astimezone(tz)
        ends_on = (
            local.date() + _DAY if self._wraps and local.time() >= self.start else local.date()
        )
        # Clocks set back can show the end time twice: take the second, after the whole window.
        return self._step_out(max(_instants(datetime.combine(ends_on, self.end), tz)), tz, _MARGIN)

    def _step_out(self, candidate: datetime, tz: ZoneInfo, step: timedelta) -> datetime:
        """Walk out of the window; needed only when a daylight-saving jump swallows the
        time we aimed at and the clocks land back inside the window."""
        while self.contains(candidate, tz):
            candidate += step
        return candidate

    def _contains_clock(self, clock: time) -> bool:
        if self.start == self.end:
            return False
        if self._wraps:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def _gap(self) -> timedelta:
        """How long the clocks are outside the window each day."""
        gap = _since_midnight(self.start) - _since_midnight(self.end)
        return gap if self._wraps else gap + _DAY


def _instants(wall: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which the clocks in `tz` show `wall`: equal unless the clocks
    change then (a repeated hour has two, a skipped one maps to just before and after)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return first, second


def _since_midnight(clock: time) -> timedelta:
    return timedelta(hours=clock.hour, minutes=clock.minute)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: every time in Mesocare carries its time zone")
    return at
