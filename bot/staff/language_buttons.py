"""A staff member's language button: `slang:<code>` (None unless a language the bot speaks).
The format is the one buttons already sent in chats carry."""

from __future__ import annotations

from care.core.languages import LANGUAGES

PATTERN = r"^slang:"
_PREFIX = "slang:"


def encode(lang: str) -> str:
    return _PREFIX + lang


def decode(data: str | None) -> str | None:
    text = data or ""
    lang = text.removeprefix(_PREFIX)
    return lang if lang != text and lang in LANGUAGES else None
