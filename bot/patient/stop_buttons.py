"""The answer to /stop's question: `stop:yes` (pause everything) or `stop:no` (keep them
coming). Anything else is None. The format is the one buttons already sent in chats carry."""

from __future__ import annotations

PATTERN = r"^stop:"
_DATA = {True: "stop:yes", False: "stop:no"}
_READ = {data: confirm for confirm, data in _DATA.items()}


def encode(confirm: bool) -> str:
    return _DATA[confirm]


def decode(data: str | None) -> bool | None:
    """True to pause, False to keep; None for anything not made here."""
    return _READ.get(data or "")
