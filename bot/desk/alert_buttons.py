"""The buttons under an alert in the staff chat, and their strict reading:

    own:take:<alert>    "I'll handle it": the first tap takes the alert
    own:done:<alert>    "Done": its owner closes it

With the card button (bot/desk/buttons.py, `card:<patient>`) beside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons

PATTERN = r"^own:"
_DATA = re.compile(r"own:(take|done):([0-9]{1,12})")


class OwnerAction(StrEnum):
    """What an alert's ownership button does: take the alert, or close it."""

    TAKE = "take"
    DONE = "done"


@dataclass(frozen=True)
class AlertButton:
    action: OwnerAction
    alert_id: int


def encode(action: OwnerAction, alert_id: int) -> str:
    return f"own:{action}:{alert_id}"


def decode(data: str) -> AlertButton | None:
    match = _DATA.fullmatch(data)
    return None if match is None else AlertButton(OwnerAction(match[1]), int(match[2]))


def keyboard(
    voice: Voice, alert_id: int, patient_id: int | None, *, action: OwnerAction | None
) -> InlineKeyboardMarkup | None:
    """`action`: the ownership button the alert needs now (None once it is closed)."""
    row = []
    if action is OwnerAction.TAKE:
        row.append(
            InlineKeyboardButton(voice("ownership.take"), callback_data=encode(action, alert_id))
        )
    elif action is OwnerAction.DONE:
        row.append(
            InlineKeyboardButton(voice("ownership.done"), callback_data=encode(action, alert_id))
        )
    if patient_id is not None:
        row.append(
            InlineKeyboardButton(voice("card.open"), callback_data=desk_buttons.card(patient_id))
        )
    return InlineKeyboardMarkup([row]) if row else None
