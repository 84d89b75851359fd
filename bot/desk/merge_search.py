"""The search an admin types after "Merge with another record…": awaited per admin and chat
for a few minutes (as bot/desk/awaiting.py awaits a date and time); opening a card forgets it,
and a restart does too (the button can simply be pressed again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.desk.awaiting import WAIT

_KEY = "desk_awaiting_merge"


@dataclass(frozen=True)
class Search:
    kept: int  # the record the one found will be merged into
    chat_id: int
    asked_at: datetime


def expect_search(user_data: dict[object, object] | None, search: Search) -> None:
    if user_data is not None:
        user_data[_KEY] = search


def awaited(user_data: dict[object, object] | None, chat_id: int, now: datetime) -> Search | None:
    """The search waiting for text typed in `chat_id`, if it has not gone stale."""
    search = (user_data or {}).get(_KEY)
    if not isinstance(search, Search) or search.chat_id != chat_id:
        return None
    if now - search.asked_at > WAIT:
        forget(user_data)
        return None
    return search


def forget(user_data: dict[object, object] | None) -> None:
    if user_data is not None:
        user_data.pop(_KEY, None)
