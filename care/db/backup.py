"""A consistent copy of the live database, made with SQLite's online backup API.

The copy is taken in one read transaction, so it holds every transaction committed before it
and none after, while the bot goes on writing (WAL mode lets a reader and a writer work at
once). It is written beside the target and renamed into place only once it passed SQLite's
integrity check, so a failed backup never leaves a half-written file behind. A missing folder
for it is created, readable by its owner only.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The backup could not be made; `str()` says why and what to do."""


def backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}; check DATABASE_PATH")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("the backup must go to another file than the database itself")
    try:  # a first backup on a fresh install: its folder, private like the data folder
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            f"cannot make the folder {target.parent} ({error.strerror}); choose another place"
        ) from None
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # it holds health data, like the database
    try:
        _copy(source, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _copy(source: Path, partial: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as live,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        live.execute("PRAGMA busy_timeout = 5000")
        live.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed SQLite's integrity check: {verdict}")
