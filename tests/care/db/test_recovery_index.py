"""Start-up recovery finds the messages left mid-send through an index, not a table scan, so
the bot starts as fast on a million pending messages as on a hundred."""

from __future__ import annotations

import sqlite3

from care.db import messages
from care.db.connection import transaction


def test_recovering_interrupted_sends_reads_only_the_index_of_messages_in_flight(
    conn: sqlite3.Connection,
) -> None:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    with transaction(conn):
        messages.release_interrupted(conn, 1_800_000_000)
    conn.set_trace_callback(None)

    recovery = [statement for statement in statements if "'sending'" in statement]
    assert len(recovery) == 2  # the events logged, then the messages released
    for statement in recovery:
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}"))
        assert "care_messages_sending" in plan, plan
