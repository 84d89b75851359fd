"""network: the sender over a real network's round trip, the window against one at a time.

The stand-in answers each request after an artificial round trip (0, 150 and 400 ms, each
± 20 % jitter); at each, with SEND_WINDOW=32 (the window, sized to the pace) and
SEND_WINDOW=1 (one at a time), in the same run:

- backlog: messages for as many patients, all due at once: rate, 429s (a run that cannot
  drain in its time limit reports the rate it held meanwhile);
- on time: messages due over a span of seconds: lateness p50/p99/max;
- crash: SIGKILL at random moments while a backlog drains, `--kills` times: after each, the
  database's integrity check, and the messages the stand-in received whose answer the bot had
  not recorded (each will arrive twice) against the window in force (the bot's DEBUG log);
  then a last start that must deliver every message.
"""

from __future__ import annotations

import contextlib
import random
import re
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.live import deliveries, running_bot, states, wait_for_deliveries, wall_clock
from bench.seed import CHAT_BASE, DAY, HOUR, Planned, seed
from bench.workspace import Bench, remove_database
from tests.e2e.harness import BotProcess, bot_env
from tests.fakes.bot_api import FakeBotApi

ROUND_TRIPS = ((0.0, 0.0), (0.15, 0.03), (0.4, 0.08))  # latency, jitter (seconds)
SENDERS = (("window", "32"), ("one at a time", "1"))
RATE_TARGET = 28.0
P99_TARGET_S = 1.5
_WINDOW_LOGGED = re.compile(r"send window (\d+)")
_READY = "ready: database"


def network(bench: Bench) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for latency, jitter in ROUND_TRIPS:
        for sender, window in SENDERS:
            print(f"  network: {latency * 1000:.0f} ms, {sender} ...", flush=True)
            rows.append(
                {
                    "round_trip_ms": latency * 1000,
                    "jitter_ms": jitter * 1000,
                    "sender": sender,
                    "backlog": _backlog(bench, latency, jitter, window),
                    "on_time": _on_time(bench, latency, jitter, window),
                    "crash": _crash(bench, latency, jitter, window),
                }
            )
            if bench.out is not None:  # so far: replaced by the whole run's figures at its end
                report.write(bench.out, "network", {"rows": rows, "finished": False})
    _show(bench, rows)
    windowed = [row for row in rows if row["sender"] == "window"]
    return {
        "rows": rows,
        "finished": True,
        "targets": {
            "rate_per_s": RATE_TARGET,
            "on_time_p99_s_at_400ms": P99_TARGET_S,
            "met": all(
                (row["backlog"]["rate_per_s"] or 0) >= RATE_TARGET
                and row["backlog"]["too_many_requests"] == 0
                for row in windowed
                if row["round_trip_ms"] > 0
            )
            and all(
                (row["on_time"]["lateness_s"]["p99"] or 99) <= P99_TARGET_S
                for row in windowed
                if row["round_trip_ms"] >= 400
            )
            and all(
                row["crash"]["lost"] == 0
                and row["crash"]["integrity_ok"]
                and row["crash"]["over_window"] == 0
                for row in rows
            ),
        },
    }


def _api(latency: float, jitter: float) -> FakeBotApi:
    return FakeBotApi(enforce_limits=True, latency=latency, jitter=jitter, seed=16)


def _backlog(bench: Bench, latency: float, jitter: float, window: str) -> dict[str, Any]:
    count = bench.scale.network_backlog
    database = bench.work / "network-backlog.db"
    due = int(time.time()) + bench.scale.lead_seconds
    planned = (Planned(i, due - HOUR - DAY, "wash_ok", due, due + DAY) for i in range(count))
    seed(database, patients=count, planned=planned, now=int(time.time()))
    limit = bench.scale.lead_seconds + count / RATE_TARGET + 20
    try:
        with _api(latency, jitter) as api:
            with running_bot(api, database, bench.work, "network", SEND_WINDOW=window):
                arrived = wait_for_deliveries(api, count, timeout=limit)
            received = [wall_clock(call) for call in arrived]
            span = received[-1] - due if received else None
            return {
                "messages": count,
                "delivered": len(arrived),
                "rate_per_s": len(arrived) / span if span else None,
                "too_many_requests": api.too_many_requests,
            }
    finally:
        remove_database(database)


def _on_time(bench: Bench, latency: float, jitter: float, window: str) -> dict[str, Any]:
    count, seconds = bench.scale.network_on_time, bench.scale.network_on_time_seconds
    database = bench.work / "network-on-time.db"
    first = int(time.time()) + bench.scale.lead_seconds
    due = [first + index * seconds // count for index in range(count)]
    planned = (Planned(i, at - HOUR - DAY, "wash_ok", at, at + DAY) for i, at in enumerate(due))
    seed(database, patients=count, planned=planned, now=int(time.time()))
    try:
        with _api(latency, jitter) as api:
            with running_bot(api, database, bench.work, "network", SEND_WINDOW=window):
                wait_for_deliveries(api, count, timeout=bench.scale.lead_seconds + seconds + 30)
            arrived = deliveries(api)
            lateness = [
                wall_clock(call) - due[int(call.params["chat_id"]) - CHAT_BASE] for call in arrived
            ]
            return {
                "messages": count,
                "delivered": len(arrived),
                "too_many_requests": api.too_many_requests,
                "lateness_s": report.spread(lateness),
            }
    finally:
        remove_database(database)


def _crash(bench: Bench, latency: float, jitter: float, window: str) -> dict[str, Any]:
    kills = bench.kills
    count = kills * 10
    database = bench.work / "network-crash.db"
    now = int(time.time())
    planned = (Planned(i, now + DAY, "wash_ok", now, now + DAY) for i in range(count))
    seed(database, patients=count, planned=planned, now=now - HOUR)
    rng = random.Random(kills)
    log_path = bench.work / "network-crash.log"
    log_path.unlink(missing_ok=True)
    per_kill: list[dict[str, int]] = []
    integrity_ok = True
    unrecorded = 0  # deliveries whose answer was never recorded: each is a duplicate
    try:
        with _api(latency, jitter) as api:
            env = bot_env(api, bench.work, DATABASE_PATH=str(database), POLL_SECONDS="10")
            env |= {"SEND_WINDOW": window, "LOG_LEVEL": "DEBUG"}
            bot = BotProcess(api, env, log_path)
            for _ in range(kills):
                bot.start(timeout=60)
                time.sleep(rng.uniform(0.05, 1.2))
                bot.stop(signal.SIGKILL)
                integrity_ok &= _intact(database)
                # One message per chat: every delivery beyond the recorded sends is one the
                # bot never heard back about, and will send again.
                now_unrecorded = len(deliveries(api)) - len(_sent_chats(database))
                per_kill.append(
                    {
                        "duplicates": now_unrecorded - unrecorded,
                        "window": _window_in_force(log_path.read_text(errors="replace")),
                    }
                )
                unrecorded = now_unrecorded
            bot.start(timeout=60)
            left = count - len(_sent_chats(database))
            deadline = time.monotonic() + left / 2 + 60
            while len(_sent_chats(database)) < count and time.monotonic() < deadline:
                time.sleep(0.5)
            bot.stop()
            received = [int(call.params["chat_id"]) for call in deliveries(api)]
        final = states(database)
        duplicates = [kill["duplicates"] for kill in per_kill]
        return {
            "messages": count,
            "kills": kills,
            "lost": sum(1 for state, *_ in final.values() if state != "sent"),
            "integrity_ok": integrity_ok and _intact(database),
            "duplicates": len(received) - len(set(received)),
            "duplicates_per_kill": report.spread([float(d) for d in duplicates]),
            "window_at_kill_max": max(kill["window"] for kill in per_kill),
            "over_window": sum(1 for kill in per_kill if kill["duplicates"] > kill["window"]),
        }
    finally:
        remove_database(database)


def _sent_chats(database: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT p.chat_id FROM care_messages m JOIN patients p ON p.id = m.patient_id"
            " WHERE m.state = 'sent'"
        )
        return {int(chat) for (chat,) in rows}


def _intact(database: Path) -> bool:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def _window_in_force(log: str) -> int:
    """The window the bot last logged in its latest life (1 until it measured a round trip)."""
    life = log[log.rfind(_READY) :]
    sizes = _WINDOW_LOGGED.findall(life)
    return int(sizes[-1]) if sizes else 1


def _show(bench: Bench, rows: list[dict[str, Any]]) -> None:
    report.show(
        f"network: backlog {bench.scale.network_backlog}, on time"
        f" {bench.scale.network_on_time} over {bench.scale.network_on_time_seconds} s,"
        f" {bench.kills} kills",
        [
            (
                "rtt ms",
                "sender",
                "msg/s",
                "429s",
                "p50 s",
                "p99 s",
                "max s",
                "dup/kill p50",
                "max",
                "window max",
                "over",
                "lost",
                "intact",
            )
        ]
        + [
            (
                row["round_trip_ms"],
                row["sender"],
                row["backlog"]["rate_per_s"],
                row["backlog"]["too_many_requests"],
                row["on_time"]["lateness_s"]["p50"],
                row["on_time"]["lateness_s"]["p99"],
                row["on_time"]["lateness_s"]["max"],
                row["crash"]["duplicates_per_kill"]["p50"],
                row["crash"]["duplicates_per_kill"]["max"],
                row["crash"]["window_at_kill_max"],
                row["crash"]["over_window"],
                row["crash"]["lost"],
                row["crash"]["integrity_ok"],
            )
            for row in rows
        ],
    )
