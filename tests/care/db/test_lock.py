"""One bot per database: the lock refuses a second holder, and the data folder it makes first
(before the database exists) is private, as the README promises."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from care.db.connection import connect
from care.db.lock import AlreadyRunning, exclusive


def test_the_folder_made_for_the_lock_is_private(tmp_path: Path) -> None:
    database = tmp_path / "data" / "mesocare.db"
    with exclusive(database):
        connect(database).close()  # the order `python -m bot` uses: lock, then database
        assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
        lock = database.with_name("mesocare.db.lock")
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    database = tmp_path / "data" / "mesocare.db"
    with exclusive(database):
        second = exclusive(database)
        with pytest.raises(AlreadyRunning, match="already running"):
            second.__enter__()
    with exclusive(database):  # released: the next start goes ahead
        pass
