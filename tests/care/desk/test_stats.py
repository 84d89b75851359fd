"""The clinic's month: a generated month counted as it was made, and months that cut time into
pieces with no gap and no overlap, in both calendars, across time zones' clock changes."""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care.core.models import AlertKind, AppointmentStatus
from care.core.problems import MonthName
from care.db.connection import connect
from care.desk.stats import (
    GREGORIAN,
    JALALI,
    calendar_for,
    clinic_month,
    month_of,
    month_span,
    shifted,
    this_and_last_month,
)
from care.schedule.plan import CarePlan
from tests.activity import alert, month_of_activity, sent, session, step_message
from tests.conftest import TEHRAN

AZAR_1405 = MonthName(JALALI, 1405, 9)
ABAN_1405 = MonthName(JALALI, 1405, 8)
# Zones whose clocks changed at midnight (Tehran until 2022, São Paulo, Havana, Beirut), and
# Apia, which skipped 30 December 2011 altogether.
ZONES = [
    ZoneInfo(name)
    for name in (
        "Asia/Tehran",
        "America/Sao_Paulo",
        "America/Havana",
        "Asia/Beirut",
        "Pacific/Apia",
        "UTC",
    )
]
INSTANTS = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def test_azar_runs_from_22_november_to_21_december_on_tehran_clocks() -> None:
    start, end = month_span(AZAR_1405, TEHRAN)
    assert start == datetime(2026, 11, 21, 20, 30, tzinfo=UTC)  # 1 Azar, 00:00 at +03:30
    assert end == datetime(2026, 12, 21, 20, 30, tzinfo=UTC)  # 1 Dey
    december = month_span(MonthName(GREGORIAN, 2026, 12), TEHRAN)
    assert december == (
        datetime(2026, 11, 30, 20, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 20, 30, tzinfo=UTC),
    )


def test_the_reader_s_language_picks_the_calendar() -> None:
    assert calendar_for("fa") == JALALI
    assert calendar_for("en") == GREGORIAN
    assert month_of(date(2026, 3, 20), JALALI) == MonthName(JALALI, 1404, 12)  # 29 Esfand
    assert month_of(date(2026, 3, 21), JALALI) == MonthName(JALALI, 1405, 1)  # Nowruz
    assert shifted(MonthName(JALALI, 1405, 1), -1) == MonthName(JALALI, 1404, 12)
    assert shifted(MonthName(GREGORIAN, 2026, 12), 1) == MonthName(GREGORIAN, 2027, 1)


def test_this_month_turns_at_the_clinic_s_midnight(conn: sqlite3.Connection) -> None:
    before = datetime(2026, 12, 21, 20, 29, 59, tzinfo=UTC)  # 30 Azar, 23:59:59 in Tehran
    last, this = this_and_last_month(conn, now=before, tz=TEHRAN, calendar=JALALI)
    assert (last.month, this.month) == (ABAN_1405, AZAR_1405)
    last, this = this_and_last_month(
        conn, now=before + timedelta(seconds=1), tz=TEHRAN, calendar=JALALI
    )
    assert (last.month, this.month) == (AZAR_1405, MonthName(JALALI, 1405, 10))
    last, this = this_and_last_month(conn, now=before, tz=TEHRAN, calendar=GREGORIAN)
    assert (last.month, this.month) == (
        MonthName(GREGORIAN, 2026, 11),
        MonthName(GREGORIAN, 2026, 12),
    )


def test_a_generated_month_is_counted_as_it_was_made(
    conn: sqlite3.Connection, plan: CarePlan
) -> None:
    azar_start, _ = month_span(AZAR_1405, TEHRAN)
    aban_start, _ = month_span(ABAN_1405, TEHRAN)
    month_of_activity(conn, plan, aban_start, sessions=3)  # the month before: counted apart
    made = month_of_activity(conn, plan, azar_start)
    figures = clinic_month(conn, AZAR_1405, TEHRAN)
    assert figures.first_day == date(2026, 11, 22)
    assert figures.sessions_done == made.sessions_done == 8
    assert figures.no_shows == made.no_shows == 1
    assert figures.messages_sent == made.messages_sent
    assert figures.messages_failed == made.messages_failed == 1
    assert figures.pre_care_sent == made.pre_care_sent == 6
    assert figures.pre_care_acknowledged == made.pre_care_acknowledged == 3
    assert {f.kind: f.raised for f in figures.alerts} == made.alerts
    assert figures.alerts_raised == 4
    assert figures.alerts_taken == 3
    assert figures.median_minutes_to_take == statistics.median(made.take_minutes) == 10
    blood_thinner = next(f for f in figures.alerts if f.kind == AlertKind.BLOOD_THINNER)
    assert (blood_thinner.taken, blood_thinner.median_minutes) == (2, 13)  # 12.5 rounded up
    delivery = next(f for f in figures.alerts if f.kind == AlertKind.DELIVERY_FAILED)
    assert (delivery.taken, delivery.median_minutes) == (0, None)
    assert [f.kind for f in figures.alerts] == [
        "blood_thinner",
        "something_wrong",
        "delivery_failed",
    ]
    assert figures.satisfaction_answers == 3
    assert figures.satisfaction_mean == round(statistics.fmean(made.scores), 1) == 3.7
    assert figures.satisfaction_comments == made.comments == 1
    aban = clinic_month(conn, ABAN_1405, TEHRAN)
    assert (aban.sessions_done, aban.no_shows) == (3 + 3, 0)  # three sessions, three scored


def test_an_empty_month_has_zeros_and_no_averages(conn: sqlite3.Connection) -> None:
    figures = clinic_month(conn, AZAR_1405, TEHRAN)
    assert (figures.sessions_done, figures.messages_sent, figures.alerts_raised) == (0, 0, 0)
    assert figures.alerts == ()
    assert figures.median_minutes_to_take is None
    assert figures.satisfaction_mean is None


@given(at=INSTANTS, zone=st.sampled_from(ZONES), calendar=st.sampled_from([JALALI, GREGORIAN]))
def test_every_instant_lies_in_the_month_of_its_clinic_date(
    at: datetime, zone: ZoneInfo, calendar: str
) -> None:
    month = month_of(at.astimezone(zone).date(), calendar)
    start, end = month_span(month, zone)
    assert start <= at < end
    assert month_span(shifted(month, 1), zone)[0] == end  # the next month starts where it ends
    assert month_span(shifted(month, -1), zone)[1] == start


# Around a month's first midnight: the day before to the day after, to the second.
EDGE = st.integers(min_value=-36 * 3600, max_value=36 * 3600)


# The care plan fixture holds no state between examples.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    calendar=st.sampled_from([JALALI, GREGORIAN]),
    months_ahead=st.integers(min_value=0, max_value=24),
    sessions=st.lists(EDGE, max_size=4),
    alerts_at=st.lists(EDGE, max_size=4),
    sends=st.lists(EDGE, max_size=4),
)
def test_every_activity_near_a_month_edge_is_counted_in_exactly_one_month(
    plan: CarePlan,
    calendar: str,
    months_ahead: int,
    sessions: list[int],
    alerts_at: list[int],
    sends: list[int],
) -> None:
    """Sessions, alerts and sent messages a second to a day and a half either side of the
    first midnight of a month (Solar Hijri or Gregorian, on Tehran's clocks) land in the
    month their clinic date is in, and in no other."""
    month = shifted(month_of(date(2026, 1, 1), calendar), months_ahead)
    edge, _ = month_span(month, TEHRAN)
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.closing(connect(Path(folder) / "mesocare.db")) as conn,
    ):
        expected = {shifted(month, -1): [0, 0, 0], month: [0, 0, 0]}
        for index, offsets in enumerate((sessions, alerts_at, sends)):
            for offset in offsets:
                at = edge + timedelta(seconds=offset)
                expected[month_of(at.astimezone(TEHRAN).date(), calendar)][index] += 1
                if index == 0:
                    session(conn, plan, at)
                elif index == 1:
                    alert(conn, AlertKind.PAUSED, at)
                else:
                    appointment_id = session(
                        conn, plan, at + timedelta(days=2), status=AppointmentStatus.BOOKED
                    )
                    sent(conn, step_message(conn, appointment_id, "pre_care"), at)
        for each, (done, raised, sent_count) in expected.items():
            figures = clinic_month(conn, each, TEHRAN)
            assert figures.sessions_done == done
            assert figures.alerts_raised == raised
            assert figures.messages_sent == figures.pre_care_sent == sent_count
