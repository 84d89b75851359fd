"""Filling a bot's database with linked patients whose care messages fall due soon, and
telling which care step a delivered text was."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog

DELIVERY_PROTOCOL = Path(__file__).with_name("delivery_protocol.toml")
ONE_STEP_PROTOCOL = Path(__file__).with_name("one_step_protocol.toml")
DELIVERY_STEPS = ("day_of", "post_care", "wash_ok", "check_in")
_CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)


_MARKER = "\u00a7"


def opening(key: str, lang: str = "en") -> str:
    """A stretch of a catalog text that no placeholder interrupts and no other text shares:
    enough to tell which message arrived, whatever the names and dates in it (texts that
    share a block, such as the warning signs, are told apart by what else they say)."""
    others = [_blank(lang, other) for other in _CATALOG.keys(lang) if other != key]
    pieces = [piece.strip()[:30] for piece in sorted(_blank(lang, key).split(_MARKER), key=len)]
    own = [piece for piece in pieces if not any(piece in other for other in others)]
    return (own or pieces)[-1]  # the longest; a text that only repeats others: its longest


@cache
def _blank(lang: str, key: str) -> str:
    return _CATALOG.text(lang, key, **dict.fromkeys(_CATALOG.placeholders(lang, key), _MARKER))


def step_of(text: str) -> str | None:
    """Which delivery-protocol step an English care message is."""
    for step in DELIVERY_STEPS:
        if opening(f"steps.{step}") in text:
            return step
    return None
