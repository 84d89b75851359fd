"""Finding a patient the way reception asks for one: by number, by part of the name, by phone.

`12` or `#12` is a patient number; a short number that is nobody's falls back to the end of a
phone number ("the one ending 4567"). Anything with letters is part of a name, matched on the
folded search key, so case, Arabic or Persian letter forms, diacritics and ZWNJ do not matter.
Longer numbers (with +, spaces, dashes or brackets if you like) are phone numbers: a match on
the end of the stored number is enough, and a leading 0 or country code does not get in the way.
A number that was a record merged into another finds the record it went to.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from care.core.models import Patient
from care.core.text_input import fold_for_search, normalize_digits
from care.db import patients
from care.people.successor import kept_record

MAX_ID_DIGITS = 9
MIN_PHONE_DIGITS = 4
_ID = re.compile(rf"#?\s*([0-9]{{1,{MAX_ID_DIGITS}}})")
_PHONE = re.compile(r"\+?\(?[0-9][0-9 ()\-.]*")


@dataclass(frozen=True)
class Matches:
    patients: list[Patient]  # the first `limit`, newest first
    total: int
    merged_from: int | None = None  # the number typed was merged into the one record found


def find_patients(conn: sqlite3.Connection, query: str, *, limit: int) -> Matches:
    """The patients `query` names; an empty Matches when none (or the query is empty)."""
    typed = normalize_digits(query).strip()
    by_id = _ID.fullmatch(typed)
    if by_id is not None:
        patient = patients.get(conn, int(by_id[1]))
        if patient is not None:
            return Matches([patient], 1)
        kept = kept_record(conn, int(by_id[1]))
        if kept is not None and (survivor := patients.get(conn, kept)) is not None:
            return Matches([survivor], 1, merged_from=int(by_id[1]))
        if typed.startswith("#") or len(by_id[1]) < MIN_PHONE_DIGITS:
            return Matches([], 0)
    if _PHONE.fullmatch(typed):
        found = _by_phone(conn, _digits(typed))
    else:
        parts = fold_for_search(typed).split()
        found = patients.with_name_parts(conn, parts) if parts else []
    return Matches(found[:limit], len(found))


def _by_phone(conn: sqlite3.Connection, typed: str) -> list[Patient]:
    wanted = typed.lstrip("0")
    if len(wanted) < MIN_PHONE_DIGITS:
        return []
    return [
        patient
        for patient in patients.with_phone(conn)
        if _same_number(_digits(patient.phone or ""), wanted)
    ]


def same_phone(stored: str, typed: str) -> bool:
    """Whether two phone numbers, written any way (spaces, 0 or country code), are one."""
    stored_digits, typed_digits = _digits(stored), _digits(typed).lstrip("0")
    if len(typed_digits) < 7 or not stored_digits:
        return False
    return _same_number(stored_digits, typed_digits)


def _same_number(stored: str, wanted: str) -> bool:
    """The stored number ends with what was typed, or (typed with a country code) what was
    typed ends with the stored number without its leading 0."""
    national = stored.lstrip("0")
    if not national:
        return False
    return stored.endswith(wanted) or (len(national) >= 7 and wanted.endswith(national))


def _digits(text: str) -> str:
    return "".join(ch for ch in normalize_digits(text) if ch.isdigit())
