"""Telling staff when a channel has been down for a while, and when it is back.

Each channel's health (jobs/channels/health.py) knows whether it answers now; staff need to
know only when an outage lasts (a blip of a few minutes is the sender's business): once when
a channel has been unreachable for `DOWN_FOR`, and once when it is back after that. The state
is kept in memory: after a restart the bot learns it again from its first request, and an
outage that is still on is announced again once it has lasted `DOWN_FOR` since the start.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.common.names import channel_name
from bot.common.staff_voice import Voice
from care.core.clock import Clock
from jobs.channels.base import Channels
from jobs.channels.health import HealthState

log = logging.getLogger(__name__)

DOWN_FOR = timedelta(minutes=30)
Tell = Callable[[Callable[[Voice], str]], Awaitable[None]]


class OutageWatch:
    def __init__(self, channels: Channels, clock: Clock, tell: Tell) -> None:
        self._clock = clock
        self._tell = tell
        self._down_since: dict[str, datetime] = {}
        self._told_down: set[str] = set()
        self._back: list[str] = []
        for channel in channels:
            channel.health.on_change(self._listener(channel.name))

    def _listener(self, name: str) -> Callable[[HealthState], None]:
        def changed(state: HealthState) -> None:
            if not state.reachable:
                self._down_since.setdefault(name, self._clock.now())
                return
            self._down_since.pop(name, None)
            if name in self._told_down:
                self._told_down.discard(name)
                self._back.append(name)

        return changed

    async def check(self) -> None:
        """Tell staff what they have not been told yet (called after each delivery run)."""
        now = self._clock.now()
        for name, since in sorted(self._down_since.items()):
            if name in self._told_down or now - since < DOWN_FOR:
                continue
            self._told_down.add(name)
            minutes = int((now - since).total_seconds() // 60)
            log.warning("%s has been unreachable for %d minutes; staff are told", name, minutes)
            await self._tell(functools.partial(_down, name=name, minutes=minutes))
        back, self._back = self._back, []
        for name in back:
            await self._tell(functools.partial(_back, name=name))


def _down(voice: Voice, *, name: str, minutes: int) -> str:
    return voice("channels.down", channel=channel_name(voice, name), minutes=minutes)


def _back(voice: Voice, *, name: str) -> str:
    return voice("channels.back", channel=channel_name(voice, name))
