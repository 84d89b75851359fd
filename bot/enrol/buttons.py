"""The guided /enrol's buttons: `enrol:<nonce>:<field>:<value>`.

The nonce names the conversation (so a button from an earlier one is recognised), the field
says which question it answers. Decoding only reads the shape; every value is checked again
when pressed (care.people.enrol_draft), so a forged button changes nothing. The format is the
one buttons already sent in chats carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = r"^enrol:"  # every enrol button, from any conversation
_SHAPE = re.compile(r"^enrol:([0-9a-f]{6}):([a-z]{2,8}):([A-Za-z0-9_-]{1,16})$")


@dataclass(frozen=True)
class EnrolButton:
    nonce: str
    field: str
    value: str


def pattern_for(field: str) -> str:
    """The buttons that answer one question (of any conversation: the nonce is checked after)."""
    return rf"^enrol:[0-9a-f]{{6}}:{field}:"


def encode(button: EnrolButton) -> str:
    return f"enrol:{button.nonce}:{button.field}:{button.value}"


def decode(data: str | None) -> EnrolButton | None:
    match = _SHAPE.match(data or "")
    return EnrolButton(match[1], match[2], match[3]) if match else None
