"""The current time, passed in rather than read, so tests never sleep to reach a date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def to_epoch(at: datetime) -> int:
    """Whole seconds since the epoch, as stored in the database."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: every time in Mesocare carries its time zone")
    return int(at.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
