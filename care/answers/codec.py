"""The data behind a patient's one-tap answer button.

It names only the care message and the answer. Whoever presses it is checked against the
message's patient on the server, so a forged or copied button cannot touch another record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = r"^ans:"  # every answer button; decode() then reads it strictly
_SHAPE = re.compile(r"^ans:(\d{1,12}):([a-z][a-z0-9_]{0,31})$")


@dataclass(frozen=True)
class AnswerButton:
    message_id: int
    answer: str


def encode(button: AnswerButton) -> str:
    return f"ans:{button.message_id}:{button.answer}"


def decode(data: str) -> AnswerButton | None:
    match = _SHAPE.match(data)
    if match is None:
        return None
    return AnswerButton(int(match.group(1)), match.group(2))
