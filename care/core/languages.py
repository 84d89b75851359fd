"""The languages the bot speaks: the one list, and each one's name in itself.

Every other module takes the list from here (settings, the catalogs, enrolment, the desk), so a
third language is added here and in its own catalog file, nowhere else.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("fa", "en")  # the first is the catalogs' reference

# What a language button shows, in that language, whoever reads it: a reader finds their own
# language by its own name.
ENDONYMS: dict[str, str] = {"fa": "فارسی", "en": "English"}


def endonym(lang: str) -> str:
    """The language's name in itself ("فارسی", "English")."""
    return ENDONYMS[lang]
