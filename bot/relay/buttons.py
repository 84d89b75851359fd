"""The "Reply" button under a patient's message in the staff chat: `rl:<relayed message>`."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons

PATTERN = r"^rl:"
_DATA = re.compile(r"rl:([0-9]{1,12})")


def encode(relayed_id: int) -> str:
    return f"rl:{relayed_id}"


def decode(data: str) -> int | None:
    match = _DATA.fullmatch(data)
    return None if match is None else int(match[1])


def keyboard(
    voice: Voice, relayed_id: int, patient_id: int, *, answered: str | None = None
) -> InlineKeyboardMarkup:
    """Reply and open the card; once answered, the Reply button says who answered, when (and
    still answers again)."""
    label = answered if answered is not None else voice("relay_staff.reply")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=encode(relayed_id)),
                InlineKeyboardButton(
                    voice("card.open"), callback_data=desk_buttons.card(patient_id)
                ),
            ]
        ]
    )
