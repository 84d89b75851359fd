"""What became of one attempt to deliver a message, in words the scheduler understands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SendResult(StrEnum):
    SENT = "sent"
    RATE_LIMITED = "rate_limited"  # Telegram said: wait `retry_after` seconds
    TRANSIENT = "transient"  # network trouble or a server error: try again later
    UNREACHABLE = "unreachable"  # the patient blocked the bot or the chat is gone
    REJECTED = "rejected"  # Telegram refused this message itself: retrying will not help


@dataclass(frozen=True)
class Outcome:
    result: SendResult
    detail: str = ""
    telegram_message_id: int | None = None
    retry_after: float = 0.0
    # False when the request never left this machine (no connection could be made): nothing
    # can have reached the patient, so another channel may carry the message.
    reached: bool = True
