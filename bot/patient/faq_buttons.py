"""A /faq question button: `faq:<topic>`, a topic of the catalog's [faq] (None otherwise).
The format is the one buttons already sent in chats carry."""

from __future__ import annotations

from care.content.catalog import FAQ_TOPICS

PATTERN = r"^faq:"
_PREFIX = "faq:"


def encode(topic: str) -> str:
    return _PREFIX + topic


def decode(data: str | None) -> str | None:
    text = data or ""
    topic = text.removeprefix(_PREFIX)
    return topic if topic != text and topic in FAQ_TOPICS else None
