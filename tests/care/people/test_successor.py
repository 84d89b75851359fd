"""Where a merged-away record went: the record it was merged into, through later merges too;
nothing for a number never merged, and a damaged audit trail (a loop) ends instead of
hanging the desk."""

from __future__ import annotations

import sqlite3

from care.db import audit
from care.db.merging import INTO_PREFIX, MERGE_ACTION
from care.people.successor import kept_record
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock
from tests.factories import enrolled


def _merged(conn: sqlite3.Connection, source: int, target: int) -> None:
    """The audit line a merge writes for the record that went (care/people/merge.py)."""
    audit.record(
        conn,
        at=0,
        actor="telegram:1001",
        action=MERGE_ACTION,
        subject=f"patient:{source}",
        detail=f"{INTO_PREFIX}{target}",
    )


def test_a_number_never_merged_went_nowhere(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    live = enrolled(conn, plan, clock.now()).patient_id
    assert kept_record(conn, live) is None
    assert kept_record(conn, 999) is None


def test_a_merge_of_a_merge_leads_to_the_record_that_is_left(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    left = enrolled(conn, plan, clock.now()).patient_id
    _merged(conn, 900, 901)  # 901 went too, into the record that is left
    _merged(conn, 901, left)
    assert kept_record(conn, 900) == left
    assert kept_record(conn, 901) == left


def test_a_loop_in_a_damaged_trail_ends(conn: sqlite3.Connection) -> None:
    _merged(conn, 900, 901)
    _merged(conn, 901, 900)
    assert kept_record(conn, 900) is None
