"""Every catalog text, in both languages, as a Telegram app lays it out.

Each line of each rendered text goes through the Unicode bidirectional algorithm (python-bidi,
the Rust unicode-bidi crate), the way an app puts it on screen, and must show: a phone's digits,
a time and a command's slash in reading order; a Latin name as written and a Persian name
unscrambled (in visual order, right to left); and a Persian line as a right-to-left line. The
keys and placeholders come from the catalog itself, so texts added later are covered too.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from pathlib import Path

import pytest
from bidi import get_base_level, get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from care.content.catalog import DEFAULT_MESSAGES_DIR, Catalog, load_catalog
from care.core.dates import format_date, format_time
from jobs.compose import number

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What Telegram takes for a command: no letter, digit, "_", "/", "<" or ">" on either side.
COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]+(?![\w/<>])")
NUMBER_RUN = re.compile(r"\+?\d+(?:[ .\-:/]\d+)+|\+\d+")

# (patient or clinic name, phone, address) as staff may type them.
SAMPLES = {
    "latin": ("Sara Ahmadi", "+98 912 345 6789", "12 Vali-Asr St, Tehran"),
    "persian": ("سارا احمدی", "۰۹۱۲۳۴۵۶۷۸۹", "تهران، خیابان ولیعصر، پلاک ۱۲"),
    "spaced": ("مریم کریمی", "۰۲۱ ۸۸۷۷ ۶۶۵۵", "خیابان ۱۶ آذر، پلاک ۲۴، واحد ۳"),
}
DAY, CLOCK = date(2027, 3, 10), time(14, 30)


def plain(text: str) -> str:
    """The text without its direction marks: what str.format alone would have made."""
    return CONTROLS.sub("", text)


def on_screen(line: str) -> str:
    """The line in visual order, left to right on the screen, as an app lays it out."""
    return plain(get_display(line))


def block(value: str) -> str:
    """How an isolated value looks on screen: laid out on its own, by its first letter."""
    return on_screen(value if _first_letter(value) != "R" else "\u2067" + value)


def _first_letter(text: str) -> str | None:
    """The direction of the first letter, isolates or not: what an app that ignores isolates
    goes by."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return "L" if kind == "L" else "R"
    return None


def sample_value(name: str, lang: str, sample: str) -> str:
    """A value for any placeholder, by what its name says it holds."""
    person, phone, address = SAMPLES[sample]
    if name.endswith("_name"):
        return person
    if name.endswith("_address"):
        return address
    if name.endswith("_date"):
        return format_date(DAY, lang)
    if name.endswith("_time"):
        return format_time(CLOCK, lang)
    if name.endswith("_list"):
        line = {
            "appointment_date": format_date(DAY, lang),
            "appointment_time": format_time(CLOCK, lang),
        }
        values = line | {"session_number": number(1, lang), "session_count": number(2, lang)}
        return "\n".join([CATALOG.text(lang, "patient.appointment_line", **values)] * 2)
    if name.endswith(("_number", "_count")) or name == "days":
        return number(3, lang)
    return phone  # a phone, or anything new: the hardest case for the layout


def render(catalog: Catalog, lang: str, key: str, sample: str) -> tuple[str, dict[str, str]]:
    values = {name: sample_value(name, lang, sample) for name in catalog.placeholders(lang, key)}
    return catalog.text(lang, key, **values), values


def misplaced(text: str, values: dict[str, str], right_to_left: bool) -> list[str]:
    """What the layout gets wrong in the text, one line each; empty when all is well."""
    problems = []
    for line in text.split("\n"):
        logical, shown = plain(line), on_screen(line)
        persian = any(unicodedata.bidirectional(c) in ("R", "AL") for c in logical)
        if right_to_left and persian and (get_base_level(line) != 1 or _first_letter(line) != "R"):
            problems.append(f"not a right-to-left line: {logical!r}")
        wanted = [match[0] for match in COMMAND.finditer(logical)]
        wanted += [match[0] for match in NUMBER_RUN.finditer(logical)]
        for value in values.values():
            for part in value.split("\n"):
                if plain(part) and plain(part) in logical:
                    wanted.append(block(part))
        problems += [f"{piece!r} scrambled in {shown!r}" for piece in wanted if piece not in shown]
    return problems


KEYS = [(lang, key) for lang in CATALOG.languages for key in sorted(CATALOG.keys(lang))]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize(("lang", "key"), KEYS)
def test_every_text_reads_in_order_on_screen(lang: str, key: str, sample: str) -> None:
    text, values = render(CATALOG, lang, key, sample)
    assert misplaced(text, values, right_to_left=lang == "fa") == []


@pytest.mark.parametrize(("lang", "key"), KEYS)
def test_telegram_still_finds_every_command(lang: str, key: str) -> None:
    text, _ = render(CATALOG, lang, key, "latin")
    assert COMMAND.findall(text) == COMMAND.findall(plain(text))


def test_the_checks_catch_what_str_format_alone_would_show(tmp_path: Path) -> None:
    """Without the isolates the same layout misdials the phone and moves the slash."""
    fa = "{patient_name} عزیز، تلفن کلینیک {clinic_phone} است؛ ساعت {appointment_time} /start"
    en = "Dear {patient_name}, the clinic is on {clinic_phone}; at {appointment_time} send /start"
    (tmp_path / "fa.toml").write_text(f'a = "{fa} را بفرستید."\n', encoding="utf-8")
    (tmp_path / "en.toml").write_text(f'a = "{en}."\n', encoding="utf-8")
    catalog = load_catalog(tmp_path)
    for sample in ("latin", "spaced"):
        text, values = render(catalog, "fa", "a", sample)
        assert misplaced(text, values, right_to_left=True) == []
        unmarked = misplaced(plain(text), values, right_to_left=True)
        assert any("/start" in problem for problem in unmarked)
        assert any(SAMPLES[sample][1] in problem for problem in unmarked)
    text, values = render(catalog, "en", "a", "persian")
    assert text.startswith("Dear \u2068سارا احمدی\u2069,")  # a Persian name in English text
    assert misplaced(text, values, right_to_left=False) == []


def test_a_line_that_starts_with_a_latin_name_stays_right_to_left() -> None:
    text, _ = render(CATALOG, "fa", "steps.pre_care", "latin")
    assert text.startswith("\u200f\u2068Sara Ahmadi\u2069 ")
    assert get_base_level(text.split("\n")[0]) == 1


def test_english_text_keeps_latin_values_as_they_are() -> None:
    text, values = render(CATALOG, "en", "steps.day_of", "latin")
    assert text == plain(text)
    assert values["clinic_phone"] in text


DIGITS = st.sampled_from(["0123456789", "۰۱۲۳۴۵۶۷۸۹"])
LETTERS = st.sampled_from(["abcdefghijklmnopqrstuvwxyz", "ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی"])


@st.composite
def phones(draw: st.DrawFn) -> str:
    digits = draw(DIGITS)
    groups = draw(st.lists(st.text(digits, min_size=1, max_size=4), min_size=1, max_size=5))
    separator = draw(st.sampled_from([" ", "-", " - ", "."]))
    return draw(st.sampled_from(["", "+"])) + separator.join(groups)


@st.composite
def names(draw: st.DrawFn) -> str:
    letters = draw(LETTERS)
    words = draw(st.lists(st.text(letters, min_size=2, max_size=8), min_size=1, max_size=3))
    return " ".join(words)


PHONE_KEYS = [
    (lang, key) for lang, key in KEYS if CATALOG.placeholders(lang, key) & {"clinic_phone"}
]


@settings(max_examples=60, deadline=None)
@given(phone=phones(), name=names(), address=st.sampled_from([s[2] for s in SAMPLES.values()]))
def test_any_clinic_phone_and_name_read_in_order(phone: str, name: str, address: str) -> None:
    """The clinic's details are settings: whatever digits and letters staff choose."""
    for lang, key in PHONE_KEYS:
        values = {
            placeholder: sample_value(placeholder, lang, "latin")
            for placeholder in CATALOG.placeholders(lang, key)
        }
        values |= {"clinic_phone": phone, "clinic_address": address}
        values |= {n: name for n in values if n.endswith("_name")}
        text = CATALOG.text(lang, key, **values)
        assert misplaced(text, values, right_to_left=lang == "fa") == [], key
        assert any(phone in on_screen(line) for line in text.split("\n")), key
