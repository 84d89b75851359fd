"""Measuring a bot's start: spawn `bench.launch`, time it to ready, read its memory.

Both bots are measured by the same code: the time from spawning the process to its `READY`
line, and its resident memory (VmRSS, and the peak VmHWM) read from /proc/<pid>/status one
settle period after it is ready. A bot over the time or memory budget is stopped and reported
as not surviving that size.
"""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.launch import READY
from tests.e2e.harness import ROOT, bot_env
from tests.fakes.bot_api import FakeBotApi

SETTLE_SECONDS = 1.0
_MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    seconds: float = 120.0
    rss_mb: float = 4096.0


@dataclass(frozen=True)
class Start:
    kind: str  # "ours" or "peer"
    pending: int
    survived: bool
    process_s: float | None  # spawning the process -> ready
    app_s: float | None  # the launcher's first line (imports done) -> ready
    rss_mb: float | None  # resident memory once ready (after SETTLE_SECONDS)
    peak_mb: float | None  # the most it was resident at any moment
    jobs: int | None  # JobQueue jobs once ready
    note: str = ""


def measure_start(
    kind: str, *, database: Path, pending: int, api: FakeBotApi, work: Path, budget: Budget
) -> Start:
    env = bot_env(api, work, DATABASE_PATH=str(database), POLL_SECONDS="10")
    with (work / f"{kind}-{pending}.log").open("ab") as log:
        began = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.launch", kind],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        return _watch(process, kind, pending, began, budget)
    finally:
        _stop(process)


def _watch(
    process: subprocess.Popen[bytes], kind: str, pending: int, began: float, budget: Budget
) -> Start:
    assert process.stdout is not None
    peak = 0.0
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            if selector.select(timeout=0.05):
                line = process.stdout.readline().decode()
                if line.startswith(READY):
                    break
                if not line:
                    return _failed(kind, pending, peak, "exited before it was ready")
            elapsed = time.monotonic() - began
            rss, peak = _memory_mb(process.pid)
            if elapsed > budget.seconds:
                return _failed(kind, pending, peak, f"not ready within {budget.seconds:.0f} s")
            if rss > budget.rss_mb:
                return _failed(kind, pending, peak, f"over {budget.rss_mb:.0f} MB resident")
    process_s = time.monotonic() - began
    figures = json.loads(line.removeprefix(READY))
    time.sleep(SETTLE_SECONDS)
    rss, peak = _memory_mb(process.pid)
    return Start(kind, pending, True, process_s, figures["app_s"], rss, peak, figures["jobs"])


def _failed(kind: str, pending: int, peak: float, why: str) -> Start:
    return Start(kind, pending, False, None, None, None, peak or None, None, why)


def _memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the process, in MB; zeros once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)

    def kilobytes(name: str) -> float:
        return int(fields.get(name, "0 kB").split()[0]) * 1024 / _MB

    return kilobytes("VmRSS"), kilobytes("VmHWM")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the launcher this module started, by its pid: politely, then for sure."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
