"""The agenda's page buttons: `agenda:<t|u>:<days>:<page>` (/today or /upcoming, its days,
the page wanted). Decoding only reads the shape; the handler checks the listing. The format
is the one buttons already sent in chats carry."""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = r"^agenda:"
_SHAPE = re.compile(r"^agenda:([tu]):([0-9]{1,2}):([0-9]{1,3})$")


@dataclass(frozen=True)
class PageButton:
    kind: str  # "t" today, "u" upcoming
    days: int
    page: int


def encode(button: PageButton) -> str:
    return f"agenda:{button.kind}:{button.days}:{button.page}"


def decode(data: str | None) -> PageButton | None:
    match = _SHAPE.match(data or "")
    return PageButton(match[1], int(match[2]), int(match[3])) if match else None
