"""What ships with the code stays true to it: the version in one place, the changelog naming
it, the README's sample `check` output naming the schema the code migrates to."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from bot import __version__
from care.db.migrations import LATEST_VERSION

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_printed_by_the_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mesocare {__version__}"


def test_the_version_has_one_home_and_the_changelog_names_it() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bot.__version__"}
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## \[([^\]]+)\]", changelog)
    assert headings[0] == "Unreleased"
    assert headings[1] == __version__
    assert re.search(rf"(?m)^## \[{re.escape(__version__)}\] - \d{{4}}-\d\d-\d\d$", changelog)


def test_the_readme_check_sample_shows_the_schema_the_code_migrates_to() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"schema version (\d+)", readme)
    assert shown
    assert {int(n) for n in shown} == {LATEST_VERSION}


def test_the_licence_ships_and_the_readme_names_it() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "[MIT](LICENSE)" in (ROOT / "README.md").read_text(encoding="utf-8")
