"""How many care messages may be on their way to one channel at once: the in-flight window.

Handed over one at a time, messages go at one per round trip: under 7 a second at 150 ms,
about 2.5 through a proxy at 400 ms. The window lets up to W sends overlap, W being just what
the channel's pace needs over the measured round trip:

    W = ceil(pace x (smoothed round trip + 2 x its mean deviation)) + 1, within 1..`most`

(the smoothing is TCP's, RFC 6298). Until a round trip has been measured W is 1. A send
holds its place from the moment it is started until its answer is recorded, so W also bounds
what a crash can cost: at most W messages can have reached the channel without their answer
being written down, and each of them is sent again after the restart.

Launches are spaced at the pace (and wait out a 429's hold) before they start, so a send in
the window spends its time on the network, not queued in the pacer, and the round trip
measured is the network's. Never two sends to one chat at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from jobs.pacing import Cadence, ChatKey, Pacer

_ALPHA = 1 / 8  # RFC 6298's gains for the smoothed round trip and its deviation
_BETA = 1 / 4
_MARGIN = 1  # one send more than the estimate, so a slow answer does not stall the pace
DEFAULT_MOST = 32  # enough for the pace over a 1.1 s round trip


class RoundTrip:
    """The smoothed round trip of a channel and its mean deviation, in seconds."""

    def __init__(self) -> None:
        self.smoothed: float | None = None
        self.deviation = 0.0

    def sample(self, seconds: float) -> None:
        if self.smoothed is None:
            self.smoothed, self.deviation = seconds, seconds / 2
            return
        self.deviation += _BETA * (abs(self.smoothed - seconds) - self.deviation)
        self.smoothed += _ALPHA * (seconds - self.smoothed)

    def upper(self) -> float | None:
        """A round trip few sends exceed (None until one was measured)."""
        return None if self.smoothed is None else self.smoothed + 2 * self.deviation


class SendWindow:
    """Up to `size` sends at once, each to a different chat, launched at the pacer's pace."""

    def __init__(
        self,
        pacer: Pacer,
        *,
        most: int = DEFAULT_MOST,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if most < 1:
            raise ValueError(f"a window holds at least one send, not {most}")
        self._pacer = pacer
        self._most = most
        self._monotonic = monotonic
        self._sleep = sleep
        self.round_trip = RoundTrip()
        self._chats: set[ChatKey] = set()
        self._busy = 0  # sends started and not yet ended (their tasks may still be finishing)
        self._tasks: set[asyncio.Task[int]] = set()
        self._finished: list[asyncio.Task[int]] = []
        self._changed = asyncio.Condition()
        self._launches = Cadence(1 / pacer.per_second)

    @property
    def size(self) -> int:
        """W now: how many sends may be in flight at once."""
        upper = self.round_trip.upper()
        if upper is None:
            return 1
        wanted = math.ceil(self._pacer.per_second * upper) + _MARGIN
        return max(1, min(self._most, wanted))

    @property
    def in_flight(self) -> int:
        return self._busy

    def observe(self, seconds: float) -> None:
        """One send got its answer (and had it recorded) `seconds` after it started."""
        self.round_trip.sample(seconds)

    async def room(self, chat: ChatKey) -> None:
        """Wait until a send to `chat` may start: the window has room, nothing is in flight to
        that chat, and the pace allows one more now."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._busy < self.size and chat not in self._chats)
        delay = max(self._pacer.free_in(), self._launches.free_in(self._monotonic()))
        if delay > 0:
            await self._sleep(delay)

    def launch(self, chat: ChatKey, send: Coroutine[Any, Any, int]) -> None:
        """Start `send` (after `room(chat)`); what it returns is summed by `drain`."""
        self._launches.book(self._monotonic())
        self._chats.add(chat)
        self._busy += 1
        task = asyncio.get_running_loop().create_task(self._run(chat, send))
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    async def one_finished(self) -> None:
        """Wait until a send in flight finishes (at once when none is)."""
        if not self._tasks:
            return
        await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)

    async def drain(self) -> int:
        """Wait for every send in flight; return the sum of what the finished sends returned
        since the last drain. A send that raised raises here, after all the others ended."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))
        finished, self._finished = self._finished, []
        for task in finished:
            error = task.exception()
            if error is not None:
                raise error
        return sum(task.result() for task in finished)

    async def _run(self, chat: ChatKey, send: Coroutine[Any, Any, int]) -> int:
        try:
            return await send
        finally:
            self._chats.discard(chat)
            self._busy -= 1
            async with self._changed:
                self._changed.notify_all()

    def _ended(self, task: asyncio.Task[int]) -> None:
        self._tasks.discard(task)
        self._finished.append(task)
