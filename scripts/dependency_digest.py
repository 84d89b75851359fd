"""Print a digest of what pyproject.toml asks to install (Python version, dependencies, extras).

`scripts/lock` writes it into the lock files it makes; `scripts/_venv.sh` refuses a lock whose
digest no longer matches, so a dependency added to pyproject.toml without re-locking is caught
at the next run instead of installing the old set. Other edits to pyproject.toml (the ruff or
mypy settings) do not change it.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

PREFIX = "# pyproject.toml dependencies sha256:"


def digest(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.stdout.write(f"{PREFIX} {digest(root / 'pyproject.toml')}\n")
