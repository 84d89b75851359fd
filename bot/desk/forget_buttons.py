"""The answer to /forget's question: `forget:<patient>:yes` (erase) or `forget:<patient>:no`
(keep). Anything else decodes to None. The format is the one buttons already sent in chats
carry."""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = r"^forget:"
_SHAPE = re.compile(r"^forget:([0-9]{1,12}):(yes|no)$")


@dataclass(frozen=True)
class ForgetButton:
    patient_id: int
    erase: bool


def encode(button: ForgetButton) -> str:
    return f"forget:{button.patient_id}:{'yes' if button.erase else 'no'}"


def decode(data: str | None) -> ForgetButton | None:
    match = _SHAPE.match(data or "")
    return ForgetButton(int(match[1]), match[2] == "yes") if match else None
