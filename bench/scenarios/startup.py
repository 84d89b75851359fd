"""hold and peer: starting on a big schedule, ours and the one-job-per-message peer.

hold: start-up to ready and resident memory of our bot over databases of growing size (by
default 10k, 100k and 1M pending messages, ten per patient), to show neither grows with the
number pending. peer: the same for the peer (bench/peer.py), stepping up through the same
sizes until it no longer fits the time or memory budget, with the ratios to ours.
"""

from __future__ import annotations

from typing import Any

from bench import report
from bench.startup import Start
from bench.workspace import Bench

READY_TARGET_S = 2.0
RSS_TARGET_MB = 150.0
FASTER_TARGET = 20.0
LIGHTER_TARGET = 5.0


def summary(starts: list[Start]) -> dict[str, Any]:
    """Medians over the runs of one bot at one size, and every run as measured."""
    return {
        "pending": starts[0].pending,
        "survived": all(start.survived for start in starts),
        "process_to_ready_s": report.median([start.process_s for start in starts]),
        "launcher_to_ready_s": report.median([start.app_s for start in starts]),
        "rss_mb": report.median([start.rss_mb for start in starts]),
        "peak_rss_mb": report.median([start.peak_mb for start in starts]),
        "jobs": starts[-1].jobs,
        "note": next((start.note for start in starts if start.note), ""),
        "runs": [vars(start) for start in starts],
    }


def hold(bench: Bench) -> dict[str, Any]:
    sizes: list[dict[str, Any]] = [
        summary(bench.starts("ours", pending)) for pending in bench.scale.hold_sizes
    ]
    smallest, largest = sizes[0], sizes[-1]
    figures: dict[str, Any] = {
        "sizes": sizes,
        "growth": {
            "pending_factor": largest["pending"] / smallest["pending"],
            "ready_s": _difference(largest["process_to_ready_s"], smallest["process_to_ready_s"]),
            "rss_mb": _difference(largest["rss_mb"], smallest["rss_mb"]),
        },
        "targets": {
            "ready_s": READY_TARGET_S,
            "rss_mb": RSS_TARGET_MB,
            "met": all(
                size["survived"]
                and size["process_to_ready_s"] <= READY_TARGET_S
                and size["rss_mb"] <= RSS_TARGET_MB
                for size in sizes
            ),
        },
    }
    report.show(
        f"hold: our bot's start on a growing schedule (median of {bench.runs} run(s))",
        [("pending", "process → ready s", "launcher → ready s", "RSS MB", "peak MB")]
        + [
            (
                size["pending"],
                size["process_to_ready_s"],
                size["launcher_to_ready_s"],
                size["rss_mb"],
                size["peak_rss_mb"],
            )
            for size in sizes
        ],
    )
    growth = figures["growth"]
    print(
        f"  {growth['pending_factor']:.0f}× more pending: start-up {growth['ready_s']:+.3f} s,"
        f" memory {growth['rss_mb']:+.1f} MB; targets ≤ {READY_TARGET_S} s and"
        f" ≤ {RSS_TARGET_MB:.0f} MB {'met' if figures['targets']['met'] else 'MISSED'}"
    )
    return figures


def peer(bench: Bench) -> dict[str, Any]:
    budget = bench.scale.peer_budget
    compared: list[dict[str, Any]] = []
    for pending in bench.scale.hold_sizes:
        ours = summary(bench.starts("ours", pending))
        theirs = summary(bench.starts("peer", pending))
        compared.append(
            {
                "pending": pending,
                "ours": ours,
                "peer": theirs,
                "faster": report.ratio(theirs["process_to_ready_s"], ours["process_to_ready_s"]),
                "lighter": report.ratio(theirs["rss_mb"], ours["rss_mb"]),
            }
        )
        if not theirs["survived"]:
            break
    survived = [row for row in compared if row["peer"]["survived"]]
    best = survived[-1] if survived else None
    figures: dict[str, Any] = {
        "budget": {"seconds": budget.seconds, "rss_mb": budget.rss_mb},
        "sizes": compared,
        "peer_largest_survived": best["pending"] if best else None,
        "targets": {
            "faster": FASTER_TARGET,
            "lighter": LIGHTER_TARGET,
            "met": best is not None
            and (best["faster"] or 0) >= FASTER_TARGET
            and (best["lighter"] or 0) >= LIGHTER_TARGET,
        },
    }
    report.show(
        f"peer: ours vs one JobQueue job per message (median of {bench.runs} run(s); budget"
        f" {budget.seconds:.0f} s, {budget.rss_mb:.0f} MB)",
        [("pending", "ours s", "peer s", "×faster", "ours MB", "peer MB", "×lighter")]
        + [
            (
                row["pending"],
                row["ours"]["process_to_ready_s"],
                row["peer"]["process_to_ready_s"] if row["peer"]["survived"] else "over budget",
                row["faster"],
                row["ours"]["rss_mb"],
                row["peer"]["rss_mb"] if row["peer"]["survived"] else row["peer"]["note"],
                row["lighter"],
            )
            for row in compared
        ],
    )
    return figures


def _difference(large: float | None, small: float | None) -> float | None:
    return None if large is None or small is None else large - small
