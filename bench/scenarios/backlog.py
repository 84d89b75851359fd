"""backlog: pushing a pile of due messages at Telegram's own limit, and coming back from an outage.

burst: 10,000 messages for 10,000 patients all due in the same second; how fast they drain,
and how many 429s the stand-in (which enforces Telegram's limits) had to give.

outage: the bot was off for three days; messages fell due all through them. Those whose
expiry has passed must be skipped with their reason recorded, never sent late; the rest must
be sent, still without a 429.
"""

from __future__ import annotations

import time
from typing import Any

from bench import report
from bench.live import (
    busiest_second,
    running_bot,
    states,
    wait_for_deliveries,
    wall_clock,
)
from bench.seed import DAY, HOUR, Planned, seed
from bench.workspace import Bench, remove_database
from tests.fakes.bot_api import FakeBotApi

RATE_TARGET = 28.0
OUTAGE_SECONDS = 3 * DAY
MARGIN_SECONDS = HOUR  # no message expires this close to the bot's start: stale or not is clear
LIFETIMES = (  # the default protocol's steps and how long each stays useful after it is due
    ("pre_care", 26 * HOUR),
    ("day_of", 3 * HOUR),
    ("post_care", DAY),
    ("wash_ok", DAY),
    ("check_in", 2 * DAY),
    ("follow_up", 30 * DAY),
)


def backlog(bench: Bench) -> dict[str, Any]:
    bursts = [_burst(bench, bench.scale.backlog_messages, run) for run in range(bench.runs)]
    outages = [_outage(bench, bench.scale.outage_messages, run) for run in range(bench.runs)]
    rate = report.median([run["rate_per_s"] for run in bursts])
    figures: dict[str, Any] = {
        "burst": {
            "messages": bench.scale.backlog_messages,
            "rate_per_s": rate,
            "drain_s": report.median([run["drain_s"] for run in bursts]),
            "too_many_requests": max(run["too_many_requests"] for run in bursts),
            "runs": bursts,
        },
        "outage": {"messages": bench.scale.outage_messages, "runs": outages},
        "targets": {
            "rate_per_s": RATE_TARGET,
            "met": rate is not None
            and rate >= RATE_TARGET
            and all(run["too_many_requests"] == 0 for run in bursts + outages)
            and all(run["delivered"] == run["messages"] for run in bursts)
            and all(run["stale_sent"] == 0 and run["useful_not_sent"] == 0 for run in outages),
        },
    }
    report.show(
        f"backlog: {bench.scale.backlog_messages} messages due in the same second",
        [("run", "delivered", "429s", "msg/s", "drain s", "first after s", "busiest 1 s")]
        + [
            (
                number + 1,
                run["delivered"],
                run["too_many_requests"],
                run["rate_per_s"],
                run["drain_s"],
                run["first_after_s"],
                run["busiest_second"],
            )
            for number, run in enumerate(bursts)
        ],
    )
    report.show(
        f"backlog: after a {OUTAGE_SECONDS // DAY}-day outage, {bench.scale.outage_messages}"
        " messages due while the bot was off",
        [("run", "stale", "skipped", "stale sent", "useful", "sent", "not sent", "429s", "s")]
        + [
            (
                number + 1,
                run["stale"],
                run["skipped_with_reason"],
                run["stale_sent"],
                run["useful"],
                run["delivered"],
                run["useful_not_sent"],
                run["too_many_requests"],
                run["drain_s"],
            )
            for number, run in enumerate(outages)
        ],
    )
    return figures


def _burst(bench: Bench, count: int, run: int) -> dict[str, Any]:
    database = bench.work / f"burst-{run}.db"
    due = int(time.time()) + bench.scale.lead_seconds
    planned = (
        Planned(index, due - HOUR - DAY, "wash_ok", due, due + DAY) for index in range(count)
    )
    seed(database, patients=count, planned=planned, now=int(time.time()))
    try:
        with FakeBotApi(enforce_limits=True) as api:
            with running_bot(api, database, bench.work, f"burst-{run}"):
                arrived = wait_for_deliveries(
                    api, count, timeout=bench.scale.lead_seconds + count / 20 + 60
                )
            received = [wall_clock(call) for call in arrived]
            drain = received[-1] - due if received else None
            return {
                "messages": count,
                "delivered": len(arrived),
                "duplicates": len(arrived) - len({call.params["chat_id"] for call in arrived}),
                "too_many_requests": api.too_many_requests,
                "first_after_s": received[0] - due if received else None,
                "drain_s": drain,
                "rate_per_s": len(arrived) / drain if drain else None,
                "busiest_second": busiest_second(arrived),
            }
    finally:
        remove_database(database)


def _outage(bench: Bench, count: int, run: int) -> dict[str, Any]:
    database = bench.work / f"outage-{run}.db"
    now = int(time.time())
    planned = list(_overdue(count, now))
    seed(database, patients=count, planned=planned, now=now - OUTAGE_SECONDS)
    useful = {index + 1 for index, message in enumerate(planned) if message.expires_at > now}
    try:
        with FakeBotApi(enforce_limits=True) as api:
            began = time.time()
            with running_bot(api, database, bench.work, f"outage-{run}"):
                arrived = wait_for_deliveries(api, len(useful), timeout=len(useful) / 20 + 60)
            final = states(database)
            sent = {id_ for id_, (state, *_) in final.items() if state == "sent"}
            return {
                "messages": count,
                "stale": count - len(useful),
                "useful": len(useful),
                "delivered": len(arrived),
                "skipped_with_reason": sum(
                    1
                    for id_, (state, reason, *_) in final.items()
                    if id_ not in useful and state == "skipped" and reason
                ),
                "stale_sent": len(sent - useful),
                "sent_after_expiry": sum(
                    1 for id_ in sent if (final[id_][3] or 0) >= final[id_][2]
                ),
                "useful_not_sent": len(useful - sent),
                "duplicates": len(arrived) - len({call.params["chat_id"] for call in arrived}),
                "too_many_requests": api.too_many_requests,
                "drain_s": (wall_clock(arrived[-1]) - began) if arrived else None,
            }
    finally:
        remove_database(database)


def _overdue(count: int, now: int) -> list[Planned]:
    """`count` messages due at moments spread over the outage, each patient one, none
    expiring within MARGIN_SECONDS of now."""
    planned: list[Planned] = []
    candidate = 0
    while len(planned) < count:
        step, lifetime = LIFETIMES[candidate % len(LIFETIMES)]
        due = now - 60 - candidate * 7919 % (OUTAGE_SECONDS - 60)
        candidate += 1
        if abs(due + lifetime - now) < MARGIN_SECONDS:
            continue
        planned.append(Planned(len(planned), due - DAY, step, due, due + lifetime))
    return planned
