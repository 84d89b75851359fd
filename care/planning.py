"""Planning: one appointment becomes its care messages, each with a due time and an expiry.

Expiry is computed from the protocol's anchors before any quiet-hours shift: a step's `expires`
says when the message stops being useful, and that moment does not move because the message
had to wait for the morning. If waiting for the morning would reach the expiry, a "later" step
keeps its unshifted time: as with a late booking, being useful wins over quiet hours. (Moving
it earlier instead could send it before the event it is about.)

A `working_day` step (one that asks the patient to book or call) that falls on a day the clinic
is closed moves to the same clock time on the next working day first, under the same rule:
never to or past its expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from care.protocol import CareProtocol, QuietPolicy, Step, TimeExpr
from care.quiet_hours import QuietHours
from care.working_time import WorkingTime


@dataclass(frozen=True)
class SessionTimes:
    starts_at: datetime
    ends_at: datetime
    is_last_of_course: bool

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("naive datetime: every time in Mesocare carries its time zone")
        if self.ends_at < self.starts_at:
            raise ValueError("a session cannot end before it starts")


@dataclass(frozen=True)
class PlannedMessage:
    step: str
    due_at: datetime
    expires_at: datetime
    skip_reason: str | None  # set (due_at kept) when already useless at planning time


def plan_session(
    protocol: CareProtocol,
    session: SessionTimes,
    *,
    tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
    working: WorkingTime | None = None,
) -> list[PlannedMessage]:
    """The session's messages in due order (protocol order among equal times)."""
    planned = [
        _plan_step(step, session, tz=tz, quiet=quiet, now=now.astimezone(UTC), working=working)
        for step in protocol.steps
        if step.sessions == "each" or session.is_last_of_course
    ]
    return sorted(planned, key=lambda message: message.due_at)


def plan_repeat(
    step: Step,
    *,
    previous_due: datetime,
    tz: ZoneInfo,
    quiet: QuietHours,
    working: WorkingTime | None = None,
) -> tuple[datetime, datetime]:
    """(due_at, expires_at) of the next repetition, `repeat_months` after `previous_due`,
    at the step's `at` time of day if it has one."""
    if not step.repeat_months:
        raise ValueError(f"step {step.key!r} does not repeat")
    again = TimeExpr(anchor="due", offset=timedelta(0), months=step.repeat_months, at=step.when.at)
    # A repeating step's expiry is anchored on "due" (the protocol checks it), so the
    # appointment's start and end play no part here.
    unshifted = again.resolve(start=previous_due, end=previous_due, due=previous_due, tz=tz)
    expires = step.expires.resolve(start=previous_due, end=previous_due, due=unshifted, tz=tz)
    due = _on_working_day(step, unshifted, expires, working)
    return _respect_quiet(step.quiet_hours, due, expires, tz=tz, quiet=quiet), expires


def usable_now(due_at: datetime, expires_at: datetime, now: datetime) -> bool:
    """Whether a message may be sent at `now`: it is due and not yet expired."""
    return due_at <= now < expires_at


def _plan_step(
    step: Step,
    session: SessionTimes,
    *,
    tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
    working: WorkingTime | None,
) -> PlannedMessage:
    start, end = session.starts_at, session.ends_at
    unshifted = step.when.resolve(start=start, end=end, due=None, tz=tz)
    expires = step.expires.resolve(start=start, end=end, due=unshifted, tz=tz)
    on_working_day = _on_working_day(step, unshifted, expires, working)
    due = _respect_quiet(step.quiet_hours, on_working_day, expires, tz=tz, quiet=quiet)
    if expires <= now:
        reason = f"booked too late: {step.key} was useless after {expires.isoformat()}"
        return PlannedMessage(step.key, due, expires, reason)
    if due < now:
        due = _as_soon_as_possible(step.quiet_hours, expires, tz=tz, quiet=quiet, now=now)
    return PlannedMessage(step.key, due, expires, None)


def _on_working_day(
    step: Step, due: datetime, expires: datetime, working: WorkingTime | None
) -> datetime:
    """For a `working_day` step due on a closed day: the same clinic time on the next working
    day, unless that is not before the expiry. Anything else keeps `due`."""
    if not step.working_day or working is None:
        return due
    local = due.astimezone(working.tz)
    if working.is_working_day(local.date()):
        return due
    wall = datetime.combine(working.next_working_day(local.date()), local.time())
    moved = wall.replace(tzinfo=working.tz).astimezone(UTC)
    return moved if moved < expires else due


def _respect_quiet(
    policy: QuietPolicy, due: datetime, expires: datetime, *, tz: ZoneInfo, quiet: QuietHours
) -> datetime:
    if policy == "earlier":
        return quiet.move_earlier(due, tz)
    if policy == "later":
        later = quiet.move_later(due, tz)
        return later if later < expires else due
    return due


def _as_soon_as_possible(
    policy: QuietPolicy, expires: datetime, *, tz: ZoneInfo, quiet: QuietHours, now: datetime
) -> datetime:
    """A late booking: send now, or when quiet hours end if the message is still useful then."""
    if policy != "ignore":
        morning = quiet.move_later(now, tz)
        if morning < expires:
            return morning
    return now
