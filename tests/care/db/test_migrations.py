"""Migrations move an existing database forward without losing a row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from care.db import migrations


def test_a_version_2_database_gains_sent_for_start_and_keeps_its_messages(
    tmp_path: Path,
) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for number in (1, 2):
        migrations._apply(conn, number, migrations._STEPS[number - 1])
    conn.executescript(
        "INSERT INTO patients (id, full_name, name_key, language, created_at)"
        " VALUES (1, 'x', 'x', 'fa', 0);"
        "INSERT INTO appointments (id, patient_id, starts_at, ends_at, created_at)"
        " VALUES (1, 1, 100, 200, 0);"
        "INSERT INTO care_messages (appointment_id, patient_id, step, due_at, expires_at,"
        " wake_at, state, updated_at) VALUES (1, 1, 'pre_care', 10, 100, 10, 'sent', 0);"
    )
    assert migrations.migrate(conn) == migrations.LATEST_VERSION >= 3
    rows = conn.execute("SELECT step, state, sent_for_start FROM care_messages").fetchall()
    assert rows == [("pre_care", "sent", None)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    conn.close()
