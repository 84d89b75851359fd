"""Keeping under Telegram's limits before Telegram has to say so.

Telegram allows a bot about 30 messages a second overall and about one a second per chat.
The pacer spaces sends evenly rather than in bursts, so any one-second window holds at most
`per_second` of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    def __init__(
        self,
        per_second: float = 29.0,
        per_chat_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._next_slot = 0.0
        self._next_for_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until a message to `chat_id` may go out, and book that moment."""
        async with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_slot, self._next_for_chat.get(chat_id, 0.0))
            self._next_slot = slot + self._interval
            self._next_for_chat[chat_id] = slot + self._per_chat_interval
            self._forget_idle_chats(now)
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)

    def hold(self, seconds: float) -> None:
        """Telegram asked us to wait: nothing goes out before `seconds` from now."""
        self._next_slot = max(self._next_slot, self._monotonic() + seconds)

    def _forget_idle_chats(self, now: float) -> None:
        if len(self._next_for_chat) > 10_000:
            self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
