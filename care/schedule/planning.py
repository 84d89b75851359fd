"""Planning: one appointment becomes its care messages, each with a due time and an expiry.

Expiry is computed from the protocol's anchors before any quiet-hours shift: a step's `expires`
says when the message stops being useful, and that moment does not move because the message
had to wait for the morning. A step that must arrive before something also has `in_time_by`,
the latest moment it still does its job (pre-care: the 24-hour line). Quiet hours may make a
message wait only until a moment that is before its expiry and not after its `in_time_by`
(`can_wait_until`); otherwise a "later" step keeps its unshifted time and a late booking is
due at once, whatever the hour: being useful wins over quiet hours. (Moving it earlier instead
could send it before the event it is about.) The sender applies the same rule when it finds a
message due in quiet hours (jobs.delivery).

A `working_day` step (one that asks the patient to book or call) that falls on a day the clinic
is closed moves to the same clock time on the next working day first, under the same rule:
never to or past its expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from care.core.reasons import Reason
from care.schedule.protocol import CareProtocol, QuietPolicy, Step, TimeExpr
from care.schedule.quiet_hours import QuietHours
from care.schedule.working_time import WorkingTime


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
    skip_reason: Reason | None  # set (due_at kept) when already useless at planning time
    in_time_by: datetime | None  # quiet hours never hold it past this (inclusive)
    # When it would be due were quiet hours not holding it back (its protocol time, or earlier
    # if quiet hours moved it earlier; the booking if that came later). A patient awake in
    # quiet hours gets it from then on.
    ready_at: datetime


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
        if step.after is None and (step.sessions == "each" or session.is_last_of_course)
    ]
    return sorted(planned, key=lambda message: message.due_at)


def plan_repeat(
    step: Step,
    *,
    previous_due: datetime,
    tz: ZoneInfo,
    quiet: QuietHours,
    working: WorkingTime | None = None,
) -> PlannedMessage:
    """The next repetition, `repeat_months` after `previous_due`, at the step's `at` time of
    day if it has one. (A repeated step has no `in_time_by`: the protocol refuses one.)"""
    if not step.repeat_months:
        raise ValueError(f"step {step.key!r} does not repeat")
    again = TimeExpr(anchor="due", offset=timedelta(0), months=step.repeat_months, at=step.when.at)
    # A repeating step's expiry is anchored on "due" (the protocol checks it), so the
    # appointment's start and end play no part here.
    unshifted = again.resolve(start=previous_due, end=previous_due, due=previous_due, tz=tz)
    expires = step.expires.resolve(start=previous_due, end=previous_due, due=unshifted, tz=tz)
    on_working_day = _on_working_day(step, unshifted, expires, working)
    due = _respect_quiet(step.quiet_hours, on_working_day, expires, None, tz=tz, quiet=quiet)
    return PlannedMessage(step.key, due, expires, None, None, on_working_day)


def plan_after(
    step: Step,
    *,
    marked: datetime,
    tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
    working: WorkingTime | None = None,
) -> PlannedMessage:
    """A step that follows an event (`after` in the protocol), which staff recorded at
    `marked`: its times are anchored there, then moved off a closed day and out of quiet
    hours like any other."""
    if step.after is None:
        raise ValueError(f"step {step.key!r} follows no event")
    moment = SessionTimes(starts_at=marked, ends_at=marked, is_last_of_course=False)
    return _plan_step(step, moment, tz=tz, quiet=quiet, now=now.astimezone(UTC), working=working)


def can_wait_until(at: datetime, *, expires_at: datetime, in_time_by: datetime | None) -> bool:
    """Whether a message may be held (for quiet hours) until `at`: it is still useful then
    (before its expiry) and still in time (not after its `in_time_by`)."""
    return at < expires_at and (in_time_by is None or at <= in_time_by)


def quiet_hours_hold(
    policy: QuietPolicy,
    *,
    now: datetime,
    expires_at: datetime,
    in_time_by: datetime | None,
    awake: bool,
    tz: ZoneInfo,
    quiet: QuietHours,
) -> datetime | None:
    """At send time, for a message due now: until when it waits for quiet hours to end, or
    None to send it now. It waits only if it would wake someone (quiet hours, the step does
    not ignore them, the patient is not awake) and the morning is still useful and in time."""
    if policy == "ignore" or awake or not quiet.contains(now, tz):
        return None
    morning = quiet.move_later(now, tz)
    if can_wait_until(morning, expires_at=expires_at, in_time_by=in_time_by):
        return morning
    return None


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
    # For a step that follows an event, the session's times are the moment it was recorded.
    marked = start if step.after is not None else None
    unshifted = step.when.resolve(start=start, end=end, due=None, tz=tz, marked=marked)
    expires = step.expires.resolve(start=start, end=end, due=unshifted, tz=tz, marked=marked)
    in_time_by = (
        step.in_time_by.resolve(start=start, end=end, due=None, tz=tz) if step.in_time_by else None
    )
    on_working_day = _on_working_day(step, unshifted, expires, working)
    due = _respect_quiet(step.quiet_hours, on_working_day, expires, in_time_by, tz=tz, quiet=quiet)
    ready = max(min(due, on_working_day), now)
    if expires <= now:
        return PlannedMessage(step.key, due, expires, Reason.BOOKED_TOO_LATE, in_time_by, ready)
    if due < now:
        due = _as_soon_as_possible(
            step.quiet_hours, expires, in_time_by, tz=tz, quiet=quiet, now=now
        )
    return PlannedMessage(step.key, due, expires, None, in_time_by, ready)


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
    policy: QuietPolicy,
    due: datetime,
    expires: datetime,
    in_time_by: datetime | None,
    *,
    tz: ZoneInfo,
    quiet: QuietHours,
) -> datetime:
    if policy == "earlier":
        return quiet.move_earlier(due, tz)  # never after `due`, so never after `in_time_by`
    if policy == "later":
        later = quiet.move_later(due, tz)
        return later if can_wait_until(later, expires_at=expires, in_time_by=in_time_by) else due
    return due


def _as_soon_as_possible(
    policy: QuietPolicy,
    expires: datetime,
    in_time_by: datetime | None,
    *,
    tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
) -> datetime:
    """A late booking: send now, or when quiet hours end if the message is still useful and
    in time then."""
    if policy != "ignore":
        morning = quiet.move_later(now, tz)
        if can_wait_until(morning, expires_at=expires, in_time_by=in_time_by):
            return morning
    return now
