"""`python -m bench`: run the benchmark scenarios (see bench/cli.py and the README)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before telegram is imported, as `python -m bot`

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
