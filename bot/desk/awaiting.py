"""A staff member's answer the desk is waiting for: the date and time of a reschedule or of a
new session, typed after pressing the button.

Kept per user and chat in `user_data`, for a few minutes only; pressing Back or another
action forgets it. A restart forgets it too, and the button can simply be pressed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from care.desk.actions import Request

WAIT = timedelta(minutes=10)
_KEY = "desk_awaiting_time"


@dataclass(frozen=True)
class Awaiting:
    request: Request  # reschedule or add a session, without its time yet
    chat_id: int
    asked_at: datetime


def expect_time(user_data: dict[object, object] | None, awaiting: Awaiting) -> None:
    if user_data is not None:
        user_data[_KEY] = awaiting


def awaited(user_data: dict[object, object] | None, chat_id: int, now: datetime) -> Request | None:
    """The request waiting for a time typed in `chat_id`, if it has not gone stale."""
    awaiting = (user_data or {}).get(_KEY)
    if not isinstance(awaiting, Awaiting) or awaiting.chat_id != chat_id:
        return None
    if now - awaiting.asked_at > WAIT:
        forget(user_data)
        return None
    return awaiting.request


def forget(user_data: dict[object, object] | None) -> None:
    if user_data is not None:
        user_data.pop(_KEY, None)
