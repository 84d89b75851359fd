"""The buttons of the picker a patient gets after "I need another time".

The picker keeps no state on the server: each button carries the whole selection it leads to,

    rq:t:<care message>:<care message's chat message>:<first day>:<days>:<parts>   tick or untick
    rq:s:<care message>:<care message's chat message>:<first day>:<days>:<parts>   send

`<first day>` is the first day offered (YYYYMMDD), `<days>` a bit per offered day (bit 0 the
first), `<parts>` a bit per part of the day (morning, afternoon, evening). The chat message is
the care message's own, whose buttons are ticked once the request is sent. Whose message it is
and whether its session still stands are checked on the server at every press; a first day
that is no longer the first offered marks a picker sent on an earlier day (the bot shows a
fresh one). Anything not in exactly this shape is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from care.schedule.day_parts import OFFERED_DAYS, PARTS

PATTERN = r"^rq:"
_SHAPE = re.compile(r"rq:([ts]):([0-9]{1,12}):([0-9]{1,12}):([0-9]{8}):([0-9]{1,3}):([0-7])")


class Press(StrEnum):
    TOGGLE = "t"
    SEND = "s"


@dataclass(frozen=True)
class Picker:
    """A selection: which of the offered days and parts are ticked."""

    message_id: int  # the care message (database)
    chat_message_id: int  # the care message in the patient's chat
    first_day: date
    days: int = 0
    parts: int = 0

    def with_day(self, index: int) -> Picker:
        return replace(self, days=self.days ^ 1 << index)

    def with_part(self, index: int) -> Picker:
        return replace(self, parts=self.parts ^ 1 << index)

    def day_ticked(self, index: int) -> bool:
        return bool(self.days >> index & 1)

    def part_ticked(self, index: int) -> bool:
        return bool(self.parts >> index & 1)


def encode(press: Press, picker: Picker) -> str:
    return (
        f"rq:{press}:{picker.message_id}:{picker.chat_message_id}:"
        f"{picker.first_day:%Y%m%d}:{picker.days}:{picker.parts}"
    )


def decode(data: str) -> tuple[Press, Picker] | None:
    match = _SHAPE.fullmatch(data)
    if match is None:
        return None
    days, parts = int(match[5]), int(match[6])
    if days >= 1 << OFFERED_DAYS or parts >= 1 << len(PARTS):
        return None
    try:
        first = date(int(match[4][:4]), int(match[4][4:6]), int(match[4][6:]))
    except ValueError:
        return None
    return Press(match[1]), Picker(int(match[2]), int(match[3]), first, days, parts)
