"""The command line: `python -m bench [scenario ...] [--quick] [--runs N] [--out DIR]`."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report
from bench.scenarios.backlog import backlog
from bench.scenarios.desk import desk
from bench.scenarios.network import network
from bench.scenarios.on_time import on_time
from bench.scenarios.startup import hold, peer
from bench.workspace import FULL, QUICK, Bench

Scenario = Callable[[Bench], dict[str, Any]]

SCENARIOS: dict[str, Scenario] = {
    "hold": hold,
    "peer": peer,
    "on_time": on_time,
    "backlog": backlog,
    "desk": desk,
    "network": network,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Mesocare's benchmark: the real bot against a local Bot API stand-in that "
        "enforces Telegram's flood limits.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        choices=[*SCENARIOS, []],
        metavar="scenario",
        help=f"any of {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, minutes not an hour")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument(
        "--kills", type=int, default=100, help="network: SIGKILLs per round trip and sender"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"), help="JSON goes here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.kills < 1:
        parser.error("--kills must be at least 1")
    chosen = args.scenarios or list(SCENARIOS)
    print(f"machine: {report.machine()}")
    with tempfile.TemporaryDirectory(prefix="mesocare-bench-") as work:
        bench = Bench(
            scale=QUICK if args.quick else FULL,
            runs=args.runs,
            work=Path(work),
            kills=args.kills,
            out=args.out,
        )
        for name in chosen:
            began = time.monotonic()
            figures = SCENARIOS[name](bench)
            figures |= {"quick": args.quick, "runs_requested": args.runs}
            path = report.write(args.out, name, figures)
            print(f"  ({name} took {time.monotonic() - began:.0f} s; figures in {path})")
    return 0
