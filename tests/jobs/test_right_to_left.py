"""Persian messages stay right-to-left with Latin names, phones and addresses inside them.

Telegram apps set each line's direction from its first strong letter, skipping what is inside
an isolate. A Latin patient name at the start of a Persian line ("{patient_name} عزیز") would
otherwise turn the whole line left-to-right and scramble it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time

import pytest

from care.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.dates import format_date, format_time
from jobs.compose import isolate, number

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
_OPEN_ISOLATES = "\u2066\u2067\u2068"
_CLOSE_ISOLATE = "\u2069"
LATIN = {
    "patient_name": "Sara Ahmadi",
    "clinic_name": "Mesocare Clinic",
    "clinic_phone": "+98 21 1234 5678",
    "clinic_address": "12 Vali-Asr St, Tehran",
    "emergency_phone": "115",
}


def first_strong(line: str) -> str | None:
    """'L' or 'R': the direction a line takes, ignoring what is inside isolates."""
    depth = 0
    for char in line:
        if char in _OPEN_ISOLATES:
            depth += 1
        elif char == _CLOSE_ISOLATE:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind == "L":
                return "L"
            if kind in ("R", "AL"):
                return "R"
    return None


def persian_values(wrap: bool) -> dict[str, str]:
    values = {key: isolate(text, "fa") if wrap else text for key, text in LATIN.items()}
    return values | {
        "appointment_date": format_date(date(2027, 3, 10), "fa"),
        "appointment_time": format_time(time(14, 30), "fa"),
        "session_number": number(2, "fa"),
        "session_count": number(6, "fa"),
        "appointment_list": "• " + format_date(date(2027, 3, 10), "fa"),
        "days": number(3, "fa"),
        "token_hint": "",
    }


def render(key: str, values: dict[str, str]) -> str:
    wanted = CATALOG.placeholders("fa", key)
    return CATALOG.text("fa", key, **{name: values[name] for name in wanted})


PERSIAN_KEYS = sorted(key for key in CATALOG.keys("fa") if key != "language.en")


@pytest.mark.parametrize("key", PERSIAN_KEYS)
def test_every_persian_line_reads_right_to_left(key: str) -> None:
    for line in render(key, persian_values(wrap=True)).splitlines():
        assert first_strong(line) in ("R", None), f"{key}: {line!r}"


def test_without_isolation_a_latin_name_would_flip_the_line() -> None:
    (greeting, *_) = render("steps.pre_care", persian_values(wrap=False)).splitlines()
    assert first_strong(greeting) == "L"
    (isolated, *_) = render("steps.pre_care", persian_values(wrap=True)).splitlines()
    assert first_strong(isolated) == "R"
    assert isolated.startswith("\u2068Sara Ahmadi\u2069")


def test_only_latin_is_isolated_and_only_in_persian() -> None:
    assert isolate("سارا احمدی", "fa") == "سارا احمدی"
    assert isolate("Sara Ahmadi", "en") == "Sara Ahmadi"
    assert isolate("+98 21 1234 5678", "fa") == "\u2068+98 21 1234 5678\u2069"
