"""The answer to "already on record": `ret:add:<nonce>` (add the course to that record) or
`ret:new:<nonce>` (enrol a new patient). The nonce names the booking the staff member who was
asked is holding (in their own session data only), so a button pressed twice, or from an
earlier session, finds nothing held. Anything else decodes to None."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

PATTERN = r"^ret:"
_SHAPE = re.compile(r"^ret:(add|new):([0-9a-f]{8})$")


@dataclass(frozen=True)
class ReturningButton:
    nonce: str
    add_to_record: bool


def new_nonce() -> str:
    return secrets.token_hex(4)


def encode(button: ReturningButton) -> str:
    return f"ret:{'add' if button.add_to_record else 'new'}:{button.nonce}"


def decode(data: str | None) -> ReturningButton | None:
    match = _SHAPE.match(data or "")
    return ReturningButton(match[2], match[1] == "add") if match else None
