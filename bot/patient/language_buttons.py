"""The patient's language buttons: `lang:<origin>:<code>`, origin `welcome` or `menu` (where
they were offered). Decoding is strict: an unknown origin or language is None. The format is
the one buttons already sent in chats carry."""

from __future__ import annotations

import re
from dataclasses import dataclass

from care.core.languages import LANGUAGES

PATTERN = r"^lang:"
WELCOME, MENU = "welcome", "menu"
_SHAPE = re.compile(r"^lang:(welcome|menu):([a-z]{2,3})$")


@dataclass(frozen=True)
class LanguageButton:
    origin: str
    lang: str


def encode(button: LanguageButton) -> str:
    return f"lang:{button.origin}:{button.lang}"


def decode(data: str | None) -> LanguageButton | None:
    match = _SHAPE.match(data or "")
    if match is None or match[2] not in LANGUAGES:
        return None
    return LanguageButton(match[1], match[2])
