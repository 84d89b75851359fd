"""Migration 12: staff, their languages and alert owners are keyed by messenger, since a
Telegram id and a Bale id may be the same number; what a version 11 database held is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from care.db import migrations


def _at_version_11(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for number in range(1, 12):
        migrations._apply(conn, number, migrations._STEPS[number - 1])
    conn.executescript(
        "INSERT INTO staff (user_id, display_name, added_by, added_at, channel)"
        " VALUES (42, 'Mina', 'telegram:1001', 5, 'telegram'),"
        " (77, 'Nima', 'telegram:1001', 6, 'bale');"
        "INSERT INTO staff_languages (user_id, language, chosen_at) VALUES (42, 'en', 7);"
        "INSERT INTO alerts (id, kind, dedupe_key, created_at, owner_id, owner_name)"
        " VALUES (1, 'book_me', 'a', 0, 77, 'Nima'), (2, 'book_me', 'b', 0, 1001, 'Arash'),"
        " (3, 'book_me', 'c', 0, NULL, NULL);"
    )
    return conn


def test_staff_languages_and_owners_keep_what_they_held(tmp_path: Path) -> None:
    conn = _at_version_11(tmp_path / "old.db")
    assert migrations.migrate(conn) == migrations.LATEST_VERSION >= 12
    staff = conn.execute(
        "SELECT channel, user_id, display_name, added_at, removed_at FROM staff ORDER BY user_id"
    ).fetchall()
    assert staff == [("telegram", 42, "Mina", 5, None), ("bale", 77, "Nima", 6, None)]
    # A language chosen before served that number on every messenger: it still does.
    languages = conn.execute(
        "SELECT channel, user_id, language FROM staff_languages ORDER BY channel"
    ).fetchall()
    assert languages == [("bale", 42, "en"), ("telegram", 42, "en")]
    # An owner's messenger: their staff row's; an admin (not stored) is taken for Telegram.
    owners = conn.execute("SELECT id, owner_channel FROM alerts ORDER BY id").fetchall()
    assert owners == [(1, "bale"), (2, "telegram"), (3, None)]
    conn.close()


def test_the_same_number_may_be_staff_on_each_messenger_once(tmp_path: Path) -> None:
    conn = _at_version_11(tmp_path / "old.db")
    migrations.migrate(conn)
    conn.execute(
        "INSERT INTO staff (channel, user_id, display_name, added_by, added_at)"
        " VALUES ('bale', 42, 'Someone else', 'bale:9', 8)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO staff (channel, user_id, display_name, added_by, added_at)"
            " VALUES ('telegram', 42, 'Twice', 'telegram:1001', 9)"
        )
    conn.close()
