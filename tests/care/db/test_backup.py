"""The online backup: a consistent, intact, private copy while another connection writes."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from care.db.backup import BackupError, backup
from care.db.connection import connect
from care.people.enrolment import Booking, enrol
from care.schedule.plan import CarePlan
from care.schedule.protocol import load_protocol
from care.schedule.quiet_hours import QuietHours
from tests.fakes.schedule import DELIVERY_PROTOCOL, DELIVERY_STEPS

COPIES = 5


def _keep_enrolling(database: Path, stop: threading.Event, enrolled: list[int]) -> None:
    plan = CarePlan(
        load_protocol(DELIVERY_PROTOCOL), ZoneInfo("Asia/Tehran"), QuietHours.parse("22:00-08:00")
    )
    now = datetime.now(UTC)
    with contextlib.closing(connect(database)) as conn:
        while not stop.is_set():
            booking = Booking("Sara Ahmadi", now + timedelta(days=2), "en")
            enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=now)
            enrolled.append(1)


def _counts(copy: Path) -> tuple[str, int, int, int, int]:
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        patients, invites, audits, messages = (
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("patients", "invites", "audit", "care_messages")
        )
    return verdict, patients, invites, audits, messages


def test_a_backup_taken_during_writes_is_intact_and_consistent(tmp_path: Path) -> None:
    database = tmp_path / "mesocare.db"
    connect(database).close()
    stop = threading.Event()
    enrolled: list[int] = []
    writer = threading.Thread(target=_keep_enrolling, args=(database, stop, enrolled))
    writer.start()
    try:
        copies = []
        for number in range(COPIES):
            while len(enrolled) < 20 * (number + 1):  # writes really happen in between
                stop.wait(0.01)
            copy = tmp_path / f"copy-{number}.db"
            backup(database, copy)
            copies.append(copy)
    finally:
        stop.set()
        writer.join()
    seen = []
    for copy in copies:
        verdict, patients, invites, audits, messages = _counts(copy)
        assert verdict == "ok"
        # Each enrolment is one transaction: a copy holds all of it or none of it.
        assert patients == invites == audits
        assert messages == patients * len(DELIVERY_STEPS)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not copy.with_name(copy.name + "-wal").exists()  # one self-contained file
        seen.append(patients)
    assert seen == sorted(seen) and seen[0] < seen[-1]
    assert not list(tmp_path.glob("*.partial"))


def test_a_backup_refuses_to_overwrite_the_database(tmp_path: Path) -> None:
    database = tmp_path / "mesocare.db"
    connect(database).close()
    with pytest.raises(BackupError, match="another file"):
        backup(database, database)


def test_a_backup_of_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="DATABASE_PATH"):
        backup(tmp_path / "nothing.db", tmp_path / "copy.db")


def test_a_backup_into_a_missing_folder_creates_it_private(tmp_path: Path) -> None:
    database = tmp_path / "mesocare.db"
    connect(database).close()
    target = tmp_path / "backups" / "daily" / "mesocare-2026-12-05.db"
    backup(database, target)
    assert _counts(target)[0] == "ok"
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_backup_whose_folder_cannot_be_made_says_so(tmp_path: Path) -> None:
    database = tmp_path / "mesocare.db"
    connect(database).close()
    (tmp_path / "backups").write_text("a file, not a folder")
    with pytest.raises(BackupError, match="cannot make the folder"):
        backup(database, tmp_path / "backups" / "copy.db")
