"""Planning: one appointment becomes its care messages, each with a due time and an expiry.

Expiry is computed from the protocol's anchors before any quiet-hours shift: a step's `expires`
says when the message stops being useful, and that moment does not move because the message
had to wait for the morning. If waiting for the morning would reach the expiry, a "later" step
keeps its unshifted time: as with a late booking, being useful wins over quiet hours. (Moving
it earlier instead could send it before the event it is about.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from care.protocol import CareProtocol, QuietPolicy, Step, TimeExpr
from care.quiet_hours import QuietHours


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
) -> list[PlannedMessage]:
    """The session's messages in due order (protocol order among equal times)."""
    planned = [
        _plan_step(step, session, tz=tz, quiet=quiet, now=now.astimezone(UTC))
        for step in protocol.steps
        if step.sessions == "each" or session.is_last_of_course
    ]
    return sorted(planned, key=lambda message: message.due_at)


def plan_repeat(
    step: Step, *, previous_due: datetime, tz: ZoneInfo, quiet: QuietHours
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
    return _respect_quiet(step.quiet_hours, unshifted, expires, tz=tz, quiet=quiet), expires


def usable_now(due_at: datetime, expires_at: datetime, now: datetime) -> bool:
    """Whether a message may be sent at `now`: it is due and not yet expired."""
    return due_at <= now < expires_at


def _plan_step(
    step: Step, session: SessionTimes, *, tz: ZoneInfo, quiet: QuietHours, now: datetime
) -> PlannedMessage:
    start, end = session.starts_at, session.ends_at
    unshifted = step.when.resolve(start=start, end=end, due=None, tz=tz)
    expires = step.expires.resolve(start=start, end=end, due=unshifted, tz=tz)
    due = _respect_quiet(step.quiet_hours, unshifted, expires, tz=tz, quiet=quiet)
    if expires <= now:
        reason = f"booked too late: {step.key} was useless after {expires.isoformat()}"
        return PlannedMessage(step.key, due, expires, reason)
    if due < now:
        due = _as_soon_as_possible(step.quiet_hours, expires, tz=tz, quiet=quiet, now=now)
    return PlannedMessage(step.key, due, expires, None)


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
