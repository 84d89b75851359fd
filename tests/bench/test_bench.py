"""Every benchmark scenario, in miniature: it runs, and its counts are right.

Timings are the benchmark's business (`python -m bench`), never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bench import cli, report
from bench.live import deliveries, states, wait_for_deliveries
from bench.scenarios import network as network_scenario
from bench.scenarios.backlog import backlog
from bench.scenarios.desk import DESK_COMMANDS, NOT_AVAILABLE, DeskCommand, desk
from bench.scenarios.on_time import on_time
from bench.seed import DAY, Planned, courses, seed
from bench.startup import Budget
from bench.workspace import Bench, Scale
from tests.e2e.harness import ROOT, bot_env
from tests.fakes.bot_api import FakeBotApi

TINY = Scale(
    hold_sizes=(100, 400),
    messages_per_patient=10,
    peer_budget=Budget(seconds=60, rss_mb=1024),
    on_time_messages=20,
    on_time_seconds=2,
    backlog_messages=40,
    outage_messages=30,
    desk_samples=3,
    network_backlog=30,
    network_on_time=20,
    network_on_time_seconds=2,
    lead_seconds=3,
)


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(scale=TINY, runs=1, work=tmp_path)


def test_seeding_writes_every_message_pending_for_linked_patients(tmp_path: Path) -> None:
    now = int(time.time())
    planned = courses(patients=7, messages=75, first_start=now + 2 * DAY, spread_days=30)

    assert seed(tmp_path / "s.db", patients=7, planned=planned, now=now) == 75

    final = states(tmp_path / "s.db")
    assert len(final) == 75
    assert {state for state, *_ in final.values()} == {"pending"}


def test_hold_and_peer_from_the_command_line_write_their_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "QUICK", TINY)
    out = tmp_path / "results"

    assert cli.main(["hold", "peer", "--quick", "--runs", "1", "--out", str(out)]) == 0

    held = json.loads((out / "hold.json").read_text())
    assert {"machine", "sizes", "growth", "targets"} <= held.keys()
    assert [size["pending"] for size in held["sizes"]] == [100, 400]
    for size in held["sizes"]:
        assert size["survived"]
        assert size["jobs"] == 2  # the safety tick and the wake-up at the next due message
        assert size["process_to_ready_s"] > 0 and size["rss_mb"] > 0
    compared = json.loads((out / "peer.json").read_text())
    assert compared["peer_largest_survived"] == 400
    for row in compared["sizes"]:
        assert row["peer"]["jobs"] == row["pending"]  # one job per pending message
        assert row["faster"] is not None and row["lighter"] is not None


def test_an_unknown_scenario_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["everything"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_peer_really_sends_each_message_when_its_job_fires(tmp_path: Path) -> None:
    database = tmp_path / "peer.db"
    due = int(time.time()) + 10  # time for the peer to start on a busy machine
    planned = [Planned(n, due + DAY, "pre_care", due, due + DAY) for n in range(3)]
    seed(database, patients=3, planned=planned, now=due)
    with FakeBotApi(enforce_limits=True) as api:
        env = bot_env(api, tmp_path, DATABASE_PATH=str(database))
        with (tmp_path / "peer.log").open("ab") as log:
            peer = subprocess.Popen(
                [sys.executable, "-m", "bench.launch", "peer"], cwd=ROOT, env=env, stderr=log
            )
        try:
            arrived = wait_for_deliveries(api, 3, timeout=30)
        finally:
            peer.terminate()
            peer.wait(timeout=30)
        assert len(deliveries(api)) == 3
    assert len(arrived) == 3
    assert all(call.params["reply_markup"]["inline_keyboard"] for call in arrived)
    assert {state for state, *_ in states(database).values()} == {"sent"}


def test_on_time_delivers_every_message_once(bench: Bench) -> None:
    figures = on_time(bench)

    (run,) = figures["runs"]
    assert run["delivered"] == run["recorded_sent"] == 20
    assert run["duplicates"] == 0
    assert run["lateness_s"]["count"] == 20
    assert {"p50", "p99", "max"} <= figures["lateness_s"].keys()


def test_backlog_drains_the_burst_and_never_sends_a_stale_message(bench: Bench) -> None:
    figures = backlog(bench)

    (burst,) = figures["burst"]["runs"]
    assert burst["delivered"] == 40 and burst["duplicates"] == 0
    assert {"rate_per_s", "drain_s", "busiest_second", "too_many_requests"} <= burst.keys()
    (outage,) = figures["outage"]["runs"]
    assert outage["stale"] > 0 and outage["useful"] > 0
    assert outage["stale"] + outage["useful"] == 30
    assert outage["stale_sent"] == outage["sent_after_expiry"] == 0
    assert outage["skipped_with_reason"] == outage["stale"]
    assert outage["useful_not_sent"] == 0
    assert outage["delivered"] == outage["useful"]
    assert outage["duplicates"] == 0


def test_desk_measures_each_registered_command_and_names_the_missing(bench: Bench) -> None:
    missing = DeskCommand("no_such_command", lambda _sample, _desk: "/no_such_command", None)

    figures = desk(bench, (*DESK_COMMANDS, missing))

    measured = figures["handling_ms"]
    assert measured["no_such_command"] == NOT_AVAILABLE
    (run,) = figures["runs"]
    for name in ("enrol", "schedule"):
        assert {"p50", "p99", "max"} <= measured[name].keys()
        result = run["commands"][name]
        assert result["handling_ms"]["count"] == result["replies"] == result["good_replies"] == 3
    assert run["too_many_requests"] == 0


def test_network_measures_both_senders_and_keeps_each_row_as_it_is_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network_scenario, "ROUND_TRIPS", ((0.05, 0.01),))
    # Lateness and rates are not judged here, so the bot need not be up before the first is due.
    scale = replace(TINY, lead_seconds=0)
    bench = Bench(scale=scale, runs=1, work=tmp_path / "work", kills=1, out=tmp_path / "out")
    bench.work.mkdir()
    written: list[int] = []
    write = report.write

    def noting_rows(out: Path, scenario: str, figures: dict[str, object]) -> Path:
        rows = figures["rows"]
        assert isinstance(rows, list)
        written.append(len(rows))
        return write(out, scenario, figures)

    monkeypatch.setattr(report, "write", noting_rows)

    figures = network_scenario.network(bench)

    assert written == [1, 2]  # each row on disk as soon as it was measured
    assert figures["finished"] is True
    assert [row["sender"] for row in figures["rows"]] == ["window", "one at a time"]
    for row in figures["rows"]:
        assert row["backlog"]["delivered"] == 30
        assert row["backlog"]["too_many_requests"] == 0
        assert row["on_time"]["delivered"] == 20
        crash = row["crash"]
        assert crash["lost"] == 0 and crash["integrity_ok"]
        assert crash["over_window"] == 0
    one_at_a_time = figures["rows"][1]["crash"]
    assert one_at_a_time["window_at_kill_max"] == 1
    partial = json.loads((tmp_path / "out" / "network.json").read_text())
    assert partial["finished"] is False and len(partial["rows"]) == 2
