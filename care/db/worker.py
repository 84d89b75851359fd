"""An asyncio facade over the synchronous repository functions.

One thread owns the one connection; the event loop hands it work and awaits the answer, so
SQLite is never touched from two threads and a slow query never blocks the bot's loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from care.db.connection import connect

P = ParamSpec("P")
T = TypeVar("T")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(self._executor, connect, self.path)

    async def run(
        self,
        work: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work(connection, *args, **kwargs)` on the database thread."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("the database is not open")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: work(conn, *args, **kwargs))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)
