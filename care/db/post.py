"""A message the bot posted to a staff chat: chat and message ids are each messenger's own, so
a post is known by its channel too."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Post:
    channel: str
    chat_id: int
    message_id: int
