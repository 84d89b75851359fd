"""A window of the day as settings write it: "22:00-08:00", on a 24-hour clock."""

from __future__ import annotations

import re
from datetime import time

_WINDOW = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*")


def parse_clock_window(text: str, *, what: str, example: str) -> tuple[time, time]:
    """The window's two ends; a ValueError that names `what` and shows `example` otherwise."""
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError(f'{what} {text!r} cannot be read; write e.g. "{example}"')
    hours_start, minutes_start, hours_end, minutes_end = (int(part) for part in match.groups())
    if max(hours_start, hours_end) > 23 or max(minutes_start, minutes_end) > 59:
        raise ValueError(f'{what} {text!r}: times run from 00:00 to 23:59; write e.g. "{example}"')
    return time(hours_start, minutes_start), time(hours_end, minutes_end)
