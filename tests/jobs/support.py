"""Test doubles and helpers for the sender's tests."""

from __future__ import annotations

import asyncio
import sqlite3

from care.core.models import MessageState
from jobs.channels.base import Channel, Channels
from jobs.channels.health import ChannelHealth
from jobs.compose import Outgoing
from jobs.outcome import Outcome, SendResult
from jobs.pacing import ChatLimit, Pacer
from jobs.transport import Transport

UNPACED = ChatLimit(1, 0.0)  # no per-chat limit: unit tests of the sender do not pace


def one_channel(
    transport: Transport, pacer: Pacer, health: ChannelHealth | None = None
) -> Channels:
    """The sender's channels when only Telegram is served (as before Bale)."""
    return Channels([Channel("telegram", transport, pacer, health or ChannelHealth("Telegram"))])


class RecordingTransport:
    """Delivers after yielding to the event loop (so concurrent sends would overlap) and
    remembers what it sent; answers can be scripted per chat, and `gate` can hold a send."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Outgoing]] = []
        self.tried: list[int] = []  # the chat of every call, whatever its outcome
        self.last_text = ""  # the text of the latest call
        self.script: dict[int, list[Outcome | Exception]] = {}
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()
        self.in_flight = 0
        self.most_in_flight = 0

    async def deliver(self, chat_id: int, message: Outgoing) -> Outcome:
        self.tried.append(chat_id)
        self.last_text = message.text
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self.started.set()
            for _ in range(3):
                await asyncio.sleep(0)
            if self.gate is not None:
                await self.gate.wait()
            scripted = self.script.get(chat_id)
            if scripted:
                answer = scripted.pop(0)
                if isinstance(answer, Exception):
                    raise answer
                return answer
            self.sent.append((chat_id, message))
            return Outcome(SendResult.SENT, telegram_message_id=len(self.sent))
        finally:
            self.in_flight -= 1


class Alerts:
    """Counts the pokes the sender gives the staff-alert sender."""

    def __init__(self) -> None:
        self.pokes = 0

    def __call__(self) -> None:
        self.pokes += 1


def alert_kinds(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT kind FROM alerts ORDER BY id")]


def in_state(conn: sqlite3.Connection, state: MessageState) -> int:
    row = conn.execute("SELECT count(*) FROM care_messages WHERE state = ?", (state,)).fetchone()
    return int(row[0])
