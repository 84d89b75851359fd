"""Failed invite attempts, counted per chat, so nobody can try token after token.

A chat is (channel, chat id): each messenger numbers its chats on its own, so a Telegram chat
and a Bale chat may share an id and must not share a count. Kept in memory: a restart forgets
the count. That is acceptable because the limit is not what keeps tokens safe (they have 192
random bits); it stops a chat from hammering the bot.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

FAILURES_ALLOWED = 5
WINDOW = timedelta(minutes=10)
_REMEMBERED_CHATS = 10_000


class FailedAttempts:
    def __init__(self, allowed: int = FAILURES_ALLOWED, window: timedelta = WINDOW) -> None:
        self._allowed = allowed
        self._window = window
        self._failures: dict[tuple[str, int], deque[datetime]] = {}

    def blocked(self, channel: str, chat_id: int, now: datetime) -> bool:
        """True once the chat has failed `allowed` times within the window."""
        chat = (channel, chat_id)
        failures = self._failures.get(chat)
        if failures is None:
            return False
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[chat]
            return False
        return len(failures) >= self._allowed

    def failed(self, channel: str, chat_id: int, now: datetime) -> None:
        if len(self._failures) >= _REMEMBERED_CHATS:
            self._forget_old(now)
        self._failures.setdefault((channel, chat_id), deque(maxlen=self._allowed)).append(now)

    def _forget_old(self, now: datetime) -> None:
        self._failures = {
            chat: times for chat, times in self._failures.items() if times[-1] > now - self._window
        }
