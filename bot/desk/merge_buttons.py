"""The data behind the merge buttons, and its strict reading. Anything else decodes to None.

    mg:pick:<kept>             "Merge with another record…" on the kept record's card
    mg:ask:<kept>:<other>      the other record, picked from the search: ask to confirm
    mg:ok:<kept>:<other>       confirmed: merge <other> into <kept>

The handler reads both records afresh, so a stale or forged button changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PATTERN = r"^mg:"


class MergeStep(StrEnum):
    PICK = "pick"
    ASK = "ask"
    CONFIRM = "ok"


_ID = r"([0-9]{1,12})"
_PICK = re.compile(rf"mg:pick:{_ID}")
_PAIR = re.compile(rf"mg:(ask|ok):{_ID}:{_ID}")


@dataclass(frozen=True)
class MergeButton:
    step: MergeStep
    kept: int
    other: int | None = None  # for ASK and CONFIRM


def encode(button: MergeButton) -> str:
    if button.other is None:
        return f"mg:{button.step}:{button.kept}"
    return f"mg:{button.step}:{button.kept}:{button.other}"


def decode(data: str | None) -> MergeButton | None:
    if match := _PICK.fullmatch(data or ""):
        return MergeButton(MergeStep.PICK, int(match[1]))
    if match := _PAIR.fullmatch(data or ""):
        return MergeButton(MergeStep(match[1]), int(match[2]), int(match[3]))
    return None
