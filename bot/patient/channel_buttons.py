"""The patient's channel buttons under /channel: `chan:<channel>`. Decoding is strict: anything
else is None; whether the patient is linked on that channel is the record's to say."""

from __future__ import annotations

import re

PATTERN = r"^chan:"
_SHAPE = re.compile(r"^chan:([a-z]{2,12})$")


def encode(channel: str) -> str:
    return f"chan:{channel}"


def decode(data: str | None) -> str | None:
    match = _SHAPE.match(data or "")
    return None if match is None else match[1]
