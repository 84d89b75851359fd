"""The clinic's month at a glance (/stats): this month and the last, in the reader's calendar.

A Persian reader's months are Solar Hijri (Azar runs from 22 November to 21 December), an
English reader's Gregorian: the month people at the clinic talk about is the one in the calendar
they read. Each month runs from midnight on its first day to midnight on the next month's first
day, on the clinic's clocks, so every activity falls in exactly one month whichever calendar
cuts them (what counts an activity in which month: care.db.stats).
"""

from __future__ import annotations

import math
import sqlite3
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import jdatetime

from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.core.problems import MonthName
from care.db import stats
from care.db.agenda import ACKNOWLEDGED, PRE_CARE_STEP

JALALI = "jalali"
GREGORIAN = "gregorian"
SCORES: dict[str, int] = {f"score_{n}": n for n in range(1, 6)}


@dataclass(frozen=True)
class AlertFigures:
    """Alerts of one kind raised in a month, how many were taken, and how fast (the median
    from being raised to being taken, in whole minutes rounded up; None if none was taken)."""

    kind: str
    raised: int
    taken: int
    median_minutes: int | None


@dataclass(frozen=True)
class ClinicMonth:
    month: MonthName
    first_day: date
    sessions_done: int
    no_shows: int
    messages_sent: int
    messages_failed: int
    pre_care_sent: int
    pre_care_acknowledged: int
    alerts: tuple[AlertFigures, ...]  # one per kind raised, in AlertKind's order
    alerts_raised: int
    alerts_taken: int
    median_minutes_to_take: int | None
    satisfaction_answers: int
    satisfaction_mean: float | None  # 1 to 5, one decimal
    satisfaction_comments: int


def calendar_for(lang: str) -> str:
    """Solar Hijri months for a Persian reader, Gregorian for anyone else."""
    return JALALI if lang == "fa" else GREGORIAN


def month_of(day: date, calendar: str) -> MonthName:
    """The month (in `calendar`) that `day` belongs to."""
    if calendar == JALALI:
        j = jdatetime.date.fromgregorian(date=day)
        return MonthName(JALALI, j.year, j.month)
    if calendar == GREGORIAN:
        return MonthName(GREGORIAN, day.year, day.month)
    raise ValueError(f"unknown calendar {calendar!r}: expected {JALALI!r} or {GREGORIAN!r}")


def first_day(month: MonthName) -> date:
    if month.calendar == JALALI:
        gregorian: date = jdatetime.date(month.year, month.month, 1).togregorian()
        return gregorian
    return date(month.year, month.month, 1)


def shifted(month: MonthName, by: int) -> MonthName:
    """The month `by` months later (earlier when negative), in the same calendar."""
    year, index = divmod(month.year * 12 + month.month - 1 + by, 12)
    return MonthName(month.calendar, year, index + 1)


def month_span(month: MonthName, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC: the first moment of the month's first day on the clinic's clocks,
    and the first moment of the next month's."""
    return _day_start(first_day(month), tz), _day_start(first_day(shifted(month, 1)), tz)


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant whose date on the clocks in `tz` is `day`: midnight, or when the
    clocks jump over it, the moment they jump (a skipped time is read with the offset before
    the change, fold=0, which lands on the jump)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def this_and_last_month(
    conn: sqlite3.Connection, *, now: datetime, tz: ZoneInfo, calendar: str
) -> tuple[ClinicMonth, ClinicMonth]:
    """Last month's figures, then this month's so far."""
    this = month_of(now.astimezone(tz).date(), calendar)
    return clinic_month(conn, shifted(this, -1), tz), clinic_month(conn, this, tz)


def clinic_month(conn: sqlite3.Connection, month: MonthName, tz: ZoneInfo) -> ClinicMonth:
    start, end = (to_epoch(at) for at in month_span(month, tz))
    counts = stats.counts(conn, start, end, pre_care_step=PRE_CARE_STEP, acknowledged=ACKNOWLEDGED)
    raised = stats.alerts_raised(conn, start, end)
    given = stats.answers_given(conn, start, end, tuple(SCORES))
    scores = [SCORES[answer.answer] for answer in given]
    return ClinicMonth(
        month=month,
        first_day=first_day(month),
        sessions_done=counts.sessions_done,
        no_shows=counts.no_shows,
        messages_sent=counts.messages_sent,
        messages_failed=counts.messages_failed,
        pre_care_sent=counts.pre_care_sent,
        pre_care_acknowledged=counts.pre_care_acknowledged,
        alerts=_by_kind(raised),
        alerts_raised=len(raised),
        alerts_taken=sum(1 for alert in raised if alert.taken_at is not None),
        median_minutes_to_take=_median_minutes(raised),
        satisfaction_answers=len(scores),
        satisfaction_mean=round(statistics.fmean(scores), 1) if scores else None,
        satisfaction_comments=sum(1 for answer in given if answer.commented),
    )


def kinds_in(months: Sequence[ClinicMonth]) -> tuple[str, ...]:
    """The alert kinds raised in any of `months`, in AlertKind's order (unknown codes last)."""
    seen = {figures.kind for month in months for figures in month.alerts}
    return tuple(sorted(seen, key=_kind_order))


def _by_kind(raised: list[stats.RaisedAlert]) -> tuple[AlertFigures, ...]:
    grouped: dict[str, list[stats.RaisedAlert]] = defaultdict(list)
    for alert in raised:
        grouped[alert.kind].append(alert)
    return tuple(
        AlertFigures(
            kind,
            raised=len(grouped[kind]),
            taken=sum(1 for alert in grouped[kind] if alert.taken_at is not None),
            median_minutes=_median_minutes(grouped[kind]),
        )
        for kind in sorted(grouped, key=_kind_order)
    )


def _median_minutes(raised: list[stats.RaisedAlert]) -> int | None:
    waits = [alert.taken_at - alert.created_at for alert in raised if alert.taken_at is not None]
    return math.ceil(statistics.median(waits) / 60) if waits else None


_KIND_ORDER = {kind.value: index for index, kind in enumerate(AlertKind)}


def _kind_order(kind: str) -> tuple[int, str]:
    return (_KIND_ORDER.get(kind, len(_KIND_ORDER)), kind)
