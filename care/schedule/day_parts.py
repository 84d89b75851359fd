"""The days and parts of the day a patient may ask for when they need another time.

The parts split the clinic's opening hours (CLINIC_HOURS) at fixed clock times: morning from
opening to 12:00, afternoon from 12:00 to 16:00, evening from 16:00 to closing. A part the
clinic's hours leave empty (a clinic that closes at 14:00 has no evening) is not offered. The
days are the clinic's next working days after today (closed weekdays and Iran's holidays left
out), within the booking horizon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from care.core.dates import local_instant
from care.schedule.horizon import BOOKING_HORIZON
from care.schedule.working_time import OpeningHours, WorkingTime

OFFERED_DAYS = 6  # the picker's day buttons: about a working week ahead
NOON = time(12, 0)
LATE_AFTERNOON = time(16, 0)


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


PARTS: tuple[DayPart, ...] = (DayPart.MORNING, DayPart.AFTERNOON, DayPart.EVENING)


@dataclass(frozen=True)
class Choice:
    """One time that suits the patient: a working day and a part of it."""

    day: date
    part: DayPart

    def sort_key(self) -> tuple[date, int]:
        """In the day's order: morning, afternoon, evening."""
        return self.day, PARTS.index(self.part)


def to_choices(stored: Iterable[tuple[date, str]]) -> list[Choice]:
    """Stored (day, part) pairs as choices, in the day's order."""
    return sorted((Choice(day, DayPart(part)) for day, part in stored), key=Choice.sort_key)


def part_window(part: DayPart, hours: OpeningHours) -> tuple[time, time] | None:
    """[from, to) of `part` within the opening hours; None when the hours leave it empty."""
    bounds = {
        DayPart.MORNING: (time.min, NOON),
        DayPart.AFTERNOON: (NOON, LATE_AFTERNOON),
        DayPart.EVENING: (LATE_AFTERNOON, time.max),
    }[part]
    begins, ends = max(bounds[0], hours.opens), min(bounds[1], hours.closes)
    return (begins, ends) if begins < ends else None


def offered_parts(hours: OpeningHours) -> tuple[DayPart, ...]:
    return tuple(part for part in PARTS if part_window(part, hours) is not None)


def offered_days(working: WorkingTime, now: datetime, count: int = OFFERED_DAYS) -> list[date]:
    """The clinic's next `count` working days after today (clinic time), within the horizon."""
    today = now.astimezone(working.tz).date()
    last = (now + BOOKING_HORIZON).astimezone(working.tz).date()
    days: list[date] = []
    day = today
    while len(days) < count:
        day = working.next_working_day(day)
        if day > last:
            break
        days.append(day)
    return days


def may_offer(choice: Choice, working: WorkingTime, now: datetime) -> bool:
    """Whether `choice` is one the picker offers now."""
    return choice.part in offered_parts(working.hours) and choice.day in offered_days(working, now)


def slot_starts(choice: Choice, working: WorkingTime, length: timedelta) -> list[datetime]:
    """Every start in the choice's part of the day, a session's length apart from the part's
    beginning, for a session that ends by closing time; in UTC. Nothing on a closed day."""
    window = part_window(choice.part, working.hours)
    if window is None or not working.is_working_day(choice.day):
        return []
    closes = local_instant(choice.day, working.hours.closes, working.tz)
    part_ends = local_instant(choice.day, window[1], working.tz)
    start = local_instant(choice.day, window[0], working.tz)
    starts: list[datetime] = []
    while start < part_ends and start + length <= closes:
        starts.append(start)
        start += length
    return starts
