"""What the scenarios of one benchmark run share: the sizes, the runs, the seeded databases."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.seed import DAY, courses, seed
from bench.startup import Budget, Start, measure_start
from tests.fakes.bot_api import FakeBotApi


@dataclass(frozen=True)
class Scale:
    hold_sizes: tuple[int, ...]  # pending messages in the hold databases, smallest first
    messages_per_patient: int
    peer_budget: Budget
    on_time_messages: int
    on_time_seconds: int
    backlog_messages: int
    outage_messages: int
    desk_samples: int  # how many times each desk command is measured
    network_backlog: int = 1_500  # network: messages due at once, at each round trip
    network_on_time: int = 600  # network: messages due over network_on_time_seconds
    network_on_time_seconds: int = 40
    lead_seconds: int = 8  # seeded messages fall due this long after seeding: the bot is up


FULL = Scale(
    hold_sizes=(10_000, 100_000, 1_000_000),
    messages_per_patient=10,
    peer_budget=Budget(seconds=120, rss_mb=4096),
    on_time_messages=2_000,
    on_time_seconds=120,
    backlog_messages=10_000,
    outage_messages=3_000,
    desk_samples=200,
)
QUICK = Scale(
    hold_sizes=(10_000, 100_000),
    messages_per_patient=10,
    peer_budget=Budget(seconds=60, rss_mb=2048),
    on_time_messages=300,
    on_time_seconds=20,
    backlog_messages=1_000,
    outage_messages=300,
    desk_samples=50,
    network_backlog=300,
    network_on_time=200,
    network_on_time_seconds=15,
)


@dataclass
class Bench:
    scale: Scale
    runs: int
    work: Path  # scratch folder: databases and bot logs
    kills: int = 100  # network: SIGKILLs per round trip and sender
    # Where a long scenario writes what it has measured so far, row by row (None: nowhere), so
    # a run stopped after an hour keeps that hour's figures.
    out: Path | None = None
    _schedules: dict[int, Path] = field(default_factory=dict)
    _starts: dict[tuple[str, int], list[Start]] = field(default_factory=dict)
    _copies: int = 0

    @contextmanager
    def schedule(self, pending: int) -> Iterator[Path]:
        """A fresh copy of a database holding `pending` future messages (seeded once)."""
        source = self._schedules.get(pending)
        if source is None:
            source = self.work / f"schedule-{pending}.db"
            patients = max(pending // self.scale.messages_per_patient, 1)
            now = int(time.time())
            planned = courses(
                patients=patients, messages=pending, first_start=now + 2 * DAY, spread_days=180
            )
            seed(source, patients=patients, planned=planned, now=now)
            self._schedules[pending] = source
        self._copies += 1
        copy = self.work / f"run-{self._copies}.db"
        shutil.copyfile(source, copy)
        try:
            yield copy
        finally:
            remove_database(copy)

    def starts(self, kind: str, pending: int) -> list[Start]:
        """`runs` measured starts of one bot on `pending` messages (measured once per run of
        the benchmark, so hold and peer share ours); stops at the first that does not survive."""
        key = (kind, pending)
        if key not in self._starts:
            results: list[Start] = []
            for _ in range(self.runs):
                with self.schedule(pending) as database, FakeBotApi(enforce_limits=True) as api:
                    result = measure_start(
                        kind,
                        database=database,
                        pending=pending,
                        api=api,
                        work=self.work,
                        budget=self.scale.peer_budget,
                    )
                results.append(result)
                if not result.survived:
                    break
            self._starts[key] = results
        return self._starts[key]


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
