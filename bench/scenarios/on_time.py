"""on_time: messages spread over a couple of minutes, each to its own patient; how late each
reaches the stand-in (its receive time minus the message's due time), with nothing else going on.

Due times are whole seconds (the schedule stores epoch seconds), 2,000 messages over 120 s by
default (about 17 due in each second).
"""

from __future__ import annotations

import time
from typing import Any

from bench import report
from bench.live import deliveries, running_bot, states, wait_for_deliveries, wall_clock
from bench.seed import CHAT_BASE, DAY, HOUR, Planned, seed
from bench.workspace import Bench, remove_database
from tests.fakes.bot_api import FakeBotApi

P99_TARGET_S = 1.0
MAX_TARGET_S = 2.0


def on_time(bench: Bench) -> dict[str, Any]:
    count, seconds = bench.scale.on_time_messages, bench.scale.on_time_seconds
    runs = [_one_run(bench, count, seconds, run) for run in range(bench.runs)]
    p99 = report.median([run["lateness_s"]["p99"] for run in runs])
    worst = report.median([run["lateness_s"]["max"] for run in runs])
    figures: dict[str, Any] = {
        "messages": count,
        "over_seconds": seconds,
        "lateness_s": {
            "p50": report.median([run["lateness_s"]["p50"] for run in runs]),
            "p99": p99,
            "max": worst,
        },
        "targets": {
            "p99_s": P99_TARGET_S,
            "max_s": MAX_TARGET_S,
            "met": all(run["delivered"] == count and run["too_many_requests"] == 0 for run in runs)
            and p99 is not None
            and worst is not None
            and p99 <= P99_TARGET_S
            and worst <= MAX_TARGET_S,
        },
        "runs": runs,
    }
    report.show(
        f"on_time: {count} messages over {seconds} s; lateness = received − due"
        f" (median of {bench.runs} run(s))",
        [("run", "delivered", "429s", "p50 s", "p99 s", "max s")]
        + [
            (
                number + 1,
                run["delivered"],
                run["too_many_requests"],
                run["lateness_s"]["p50"],
                run["lateness_s"]["p99"],
                run["lateness_s"]["max"],
            )
            for number, run in enumerate(runs)
        ]
        + [("median", "", "", *figures["lateness_s"].values())],
    )
    return figures


def _one_run(bench: Bench, count: int, seconds: int, run: int) -> dict[str, Any]:
    database = bench.work / f"on-time-{run}.db"
    first_due = int(time.time()) + bench.scale.lead_seconds
    due = [first_due + index * seconds // count for index in range(count)]
    planned = (
        Planned(index, at - HOUR - DAY, "wash_ok", at, at + DAY) for index, at in enumerate(due)
    )
    seed(database, patients=count, planned=planned, now=int(time.time()))
    try:
        with FakeBotApi(enforce_limits=True) as api:
            with running_bot(api, database, bench.work, f"on-time-{run}"):
                wait_for_deliveries(api, count, timeout=bench.scale.lead_seconds + seconds + 60)
            arrived = deliveries(api)
            lateness = [
                wall_clock(call) - due[int(call.params["chat_id"]) - CHAT_BASE] for call in arrived
            ]
            sent = sum(1 for state, *_ in states(database).values() if state == "sent")
            return {
                "delivered": len(arrived),
                "recorded_sent": sent,
                "duplicates": len(arrived) - len({call.params["chat_id"] for call in arrived}),
                "too_many_requests": api.too_many_requests,
                "lateness_s": report.spread(lateness),
            }
    finally:
        remove_database(database)
