"""The lock files: made from today's pyproject.toml, every package pinned with its hashes, and
the bot's own set held to the versions the tests run with."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements.txt", "requirements-test.txt")
_PIN = re.compile(r"(?m)^([A-Za-z0-9._-]+)==(\S+) \\$")


def _pins(lock: str) -> dict[str, str]:
    return {_name(n): v for n, v in _PIN.findall((ROOT / lock).read_text(encoding="utf-8"))}


def _name(requirement: str) -> str:
    bare = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_was_made_from_the_dependencies_pyproject_asks_for_now(lock: str) -> None:
    digest = subprocess.run(
        [sys.executable, "scripts/dependency_digest.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert digest in (ROOT / lock).read_text(encoding="utf-8").splitlines(), (
        f"{lock} is older than pyproject.toml's dependencies: run ./scripts/lock"
    )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_package_is_pinned_with_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.split(r"(?m)^(?=[A-Za-z0-9])", text)[1:]
    assert entries
    for entry in entries:
        assert _PIN.match(entry), entry
        assert "--hash=sha256:" in entry, entry


def test_the_bot_installs_the_versions_the_tests_ran_with() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    run, test = _pins("requirements.txt"), _pins("requirements-test.txt")
    assert {_name(d) for d in project["dependencies"]} <= run.keys()
    assert {_name(d) for d in project["optional-dependencies"]["test"]} <= test.keys()
    assert {name: test[name] for name in run} == run
    assert "pytest" not in run and "ruff" not in run  # the clinic's install has no test tools
