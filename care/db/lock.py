"""One running bot per database.

Two bots on one database would each put the other's messages in flight back to the schedule
at start-up (the crash-recovery rule) and send them twice. The lock is an advisory `flock` on
a file beside the database; the kernel releases it when the process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class AlreadyRunning(Exception):  # noqa: N818 - reads as the verdict it is
    """Another process holds the database."""


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # before the database
    lock_path = database.with_name(database.name + ".lock")
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another Mesocare is already running with {database}; stop it first"
            ) from None
        yield
    finally:
        os.close(descriptor)
