"""What the schedule needs to know to plan a patient's messages, fixed for the bot's lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from care.schedule.protocol import CareProtocol
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import WorkingTime


@dataclass(frozen=True)
class CarePlan:
    """What the schedule needs to know to plan messages, fixed for the bot's lifetime."""

    protocol: CareProtocol
    tz: ZoneInfo
    quiet: QuietHours
    working: WorkingTime | None = None  # None: every day is a working day
