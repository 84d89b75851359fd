"""Cleaning what staff and patients type: digits, Arabic letter forms, invisible characters."""

from __future__ import annotations

import re
import unicodedata

from care.core.problems import Problem

MAX_NAME_LENGTH = 80
ZWNJ = "\u200c"  # zero-width non-joiner: part of Persian spelling, e.g. «می‌رود»

_ASCII_DIGITS = "0123456789"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _ASCII_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(_ASCII_DIGITS, _PERSIAN_DIGITS)
_TO_PERSIAN_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
# Phone keyboards with "smart punctuation" send a curly apostrophe for O'Brien.
_TO_PLAIN_APOSTROPHE = str.maketrans({"\u2018": "'", "\u2019": "'"})
_NAME_PUNCTUATION = frozenset(".'-")
_TATWEEL = "\u0640"  # kashida: stretches a word on screen, never changes it
# Hangul fillers: letters by their Unicode category, yet they draw nothing (they are "default
# ignorable"); typed as blanks, they are read as spaces.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_SPACES = re.compile(r" +")


class InvalidName(Problem):
    """A typed name that cannot be stored: a code under [problems] and its values."""


def normalize_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """ASCII digits to Persian digits."""
    return text.translate(_TO_PERSIAN_DIGITS)


def normalize_letters(text: str) -> str:
    """Arabic yeh (ي, ى) and kaf (ك) to their Persian forms (ی, ک)."""
    return text.translate(_TO_PERSIAN_LETTERS)


def clean_name(raw: str) -> str:
    """A patient's full name, cleaned for storage; raises InvalidName if it cannot be a name."""
    text = normalize_letters(raw).translate(_TO_PLAIN_APOSTROPHE)
    text = _keep_joining_zwnj(_drop_invisible(_spaces_for_whitespace(text), keep=ZWNJ))
    name = unicodedata.normalize("NFC", _collapse_spaces(text))
    _validate_name(name)
    return name


def fold_for_search(text: str) -> str:
    """A key for matching names regardless of case, script variants, ZWNJ and diacritics.

    «آرش», «ارش» and «آرَش» fold alike, as do «علي» and «علی», «José» and «jose».
    """
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = normalize_letters(normalize_digits(text))  # after NFKD, which splits ئ into ي + hamza
    text = text.translate(_TO_PLAIN_APOSTROPHE)  # as clean_name stores it
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = _drop_invisible(_spaces_for_whitespace(text)).replace(_TATWEEL, "")
    return _collapse_spaces(text)


def _spaces_for_whitespace(text: str) -> str:
    """Every kind of blank becomes a plain space, the Hangul fillers too."""
    return "".join(" " if ch.isspace() or ch in _FILLERS else ch for ch in text)


def _drop_invisible(text: str, keep: str = "") -> str:
    """Remove control and format characters (bidi marks, zero-width space/joiner, BOM...)."""
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cf"))


def _keep_joining_zwnj(text: str) -> str:
    """Keep a ZWNJ only where it separates two letters; elsewhere it is an invisible stray."""
    kept: list[str] = []
    for index, char in enumerate(text):
        if char == ZWNJ:
            following = text[index + 1 : index + 2]
            if not (_is_letter(_last_base(kept)) and _is_letter(following)):
                continue
        kept.append(char)
    return "".join(kept)


def _last_base(chars: list[str]) -> str:
    """The last character that is not a combining mark (a letter may carry harakat)."""
    for char in reversed(chars):
        if not unicodedata.category(char).startswith("M"):
            return char
    return ""


def _is_letter(char: str) -> bool:
    return bool(char) and unicodedata.category(char).startswith("L")


def _collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _validate_name(name: str) -> None:
    if not name:
        raise InvalidName("name_empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName("name_too_long", length=len(name), limit=MAX_NAME_LENGTH)
    refused = _refused_characters(name)
    if refused:
        shown = ", ".join(f'"{char}"' for char in refused)
        raise InvalidName("name_bad_characters", characters=shown)
    # Letters as search folds them: a tatweel or combining marks alone show no letter, and a
    # name that folds to nothing could never be found with /patient.
    if not any(_is_letter(char) for char in fold_for_search(name)):
        raise InvalidName("name_no_letters")


def _refused_characters(name: str) -> list[str]:
    """Distinct characters that are not letters, marks, spaces, ZWNJ or . ' -, in order."""
    refused: dict[str, None] = {}
    for char in name:
        allowed = (
            unicodedata.category(char)[0] in "LM"
            or char in (" ", ZWNJ)
            or char in _NAME_PUNCTUATION
        )
        if not allowed:
            refused[char] = None
    return list(refused)


class InvalidPhone(Problem):
    """A typed phone number that cannot be stored: a code under [problems]."""


_PHONE_SEPARATORS = re.compile(r"[ ().\-]")
_PHONE_SHAPE = re.compile(r"\+?[0-9]{7,15}")


def clean_phone(raw: str) -> str:
    """A phone number as ASCII digits with no separators; a leading + is kept and 00 becomes +.

    «۰۹۱۲ ۳۴۵ ۶۷۸۹» becomes "09123456789"; "0098 912-345-6789" becomes "+989123456789".
    """
    text = _PHONE_SEPARATORS.sub("", normalize_digits(_drop_invisible(_spaces_for_whitespace(raw))))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _PHONE_SHAPE.fullmatch(text):
        raise InvalidPhone("phone_unreadable")
    return text
