"""The schema stairway: every migration step applies on top of the one before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from care.db import migrations
from care.db.connection import connect


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def _columns(conn: sqlite3.Connection) -> set[str]:
    """Every column as "table.column"."""
    return {
        f"{table}.{row[1]}"
        for table in _tables(conn)
        for row in conn.execute(f"PRAGMA table_info({table})").fetchall()
    }


def _schema(conn: sqlite3.Connection) -> set[str]:
    """Every column as "table.column" and every index by name."""
    indexes = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return _columns(conn) | {f"index {row[0]}" for row in indexes}


def test_each_step_applies_on_the_previous_version(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "stairs.db", isolation_level=None)
    seen: set[str] = set()
    for version in range(1, migrations.LATEST_VERSION + 1):
        migrations._apply(conn, version, migrations._STEPS[version - 1])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        schema = _schema(conn)
        assert seen < schema, f"step {version} added no column or index"
        seen = schema
    assert migrations.migrate(conn) == migrations.LATEST_VERSION  # nothing left to do
    conn.close()


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
    conn.close()


def test_a_version_4_database_gains_the_line_and_ready_at(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "v4.db", isolation_level=None)
    for number in range(1, 5):
        migrations._apply(conn, number, migrations._STEPS[number - 1])
    conn.executescript(
        "INSERT INTO patients (id, full_name, name_key, language, created_at)"
        " VALUES (1, 'x', 'x', 'fa', 0);"
        "INSERT INTO appointments (id, patient_id, starts_at, ends_at, created_at)"
        " VALUES (1, 1, 200000, 203600, 0);"
        "INSERT INTO care_messages (appointment_id, patient_id, step, due_at, expires_at,"
        " wake_at, state, updated_at) VALUES"
        " (1, 1, 'pre_care', 106400, 200000, 150000, 'pending', 0),"
        " (1, 1, 'day_of', 189200, 200000, 189200, 'pending', 0);"
    )
    assert migrations.migrate(conn) == migrations.LATEST_VERSION >= 5
    rows = conn.execute(
        "SELECT step, due_at, wake_at, ready_at, in_time_by FROM care_messages ORDER BY id"
    ).fetchall()
    # pending pre-care gets the 24-hour line (always the protocol's rule); others none
    assert rows == [
        ("pre_care", 106400, 150000, 106400, 200000 - 86400),
        ("day_of", 189200, 189200, 189200, None),
    ]
    conn.close()


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "mesocare.db"
    conn = connect(path)
    conn.execute(
        "INSERT INTO patients (full_name, name_key, language, created_at)"
        " VALUES ('A', 'a', 'fa', 0)"
    )
    conn.close()
    again = connect(path)
    assert again.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 1
    again.close()


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this program"):
        connect(path)


def test_a_failing_step_leaves_the_version_untouched(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "broken.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrations._apply(conn, 1, "CREATE TABLE t (x); CREATE TABLE t (x)")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert "t" not in _tables(conn)
    conn.close()


def test_the_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "private" / "mesocare.db"
    connect(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
