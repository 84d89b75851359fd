import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.core.text_input import (
    MAX_NAME_LENGTH,
    ZWNJ,
    InvalidName,
    InvalidPhone,
    clean_name,
    clean_phone,
    fold_for_search,
    normalize_digits,
    normalize_letters,
    to_persian_digits,
)
from tests.problems import said


def test_normalize_digits_turns_persian_and_arabic_indic_digits_into_ascii() -> None:
    assert normalize_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize_digits("تلفن: ۰۹۱۲-٣٤٥") == "تلفن: 0912-345"


def test_to_persian_digits_leaves_other_text_alone() -> None:
    assert to_persian_digits("14:30, 1405") == "۱۴:۳۰, ۱۴۰۵"


@given(st.text(alphabet="0123456789:- "))
def test_persian_digits_round_trip(text: str) -> None:
    assert normalize_digits(to_persian_digits(text)) == text


def test_normalize_letters_uses_persian_yeh_and_kaf() -> None:
    assert normalize_letters("علي كاظمى") == "علی کاظمی"
    assert normalize_letters("Ali") == "Ali"


# --- clean_name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Sara \t  Ahmadi\n", "Sara Ahmadi"),
        ("علي كاظمي", "علی کاظمی"),
        ("\u200fسارا Smith-Jones\u200e", "سارا Smith-Jones"),
        ("\u202bمریم\u202c \u2067O'Neil\u2069", "مریم O'Neil"),
        ("سا\u200bرا\u200d \ufeffاحمدی", "سارا احمدی"),
        ("Jose\u0301 Núñez", "José Núñez"),
        ("O\u2019Brien", "O'Brien"),
        ("Dr. Anne-Marie", "Dr. Anne-Marie"),
        ("عَلی", "عَلی"),
        ("علی\u00a0رضایی", "علی رضایی"),
    ],
)
def test_clean_name_cleans(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_clean_name_keeps_zwnj_inside_a_word() -> None:
    assert clean_name(f"علی{ZWNJ}اکبر  می{ZWNJ}رود") == f"علی{ZWNJ}اکبر می{ZWNJ}رود"


def test_clean_name_keeps_zwnj_after_a_letter_with_a_diacritic() -> None:
    assert clean_name(f"مِی{ZWNJ}رود") == unicodedata.normalize("NFC", f"مِی{ZWNJ}رود")


@pytest.mark.parametrize(
    "raw",
    [
        f"{ZWNJ}علی{ZWNJ}",
        f"علی {ZWNJ}رضایی",
        f"علی{ZWNJ} رضایی",
        f"Ali{ZWNJ}-Reza",
    ],
)
def test_clean_name_drops_zwnj_that_does_not_join_letters(raw: str) -> None:
    assert ZWNJ not in clean_name(raw)


def test_clean_name_collapses_repeated_zwnj() -> None:
    assert clean_name(f"علی{ZWNJ}{ZWNJ}اکبر") == f"علی{ZWNJ}اکبر"


def test_clean_name_accepts_the_longest_allowed_name() -> None:
    assert clean_name("ا" * MAX_NAME_LENGTH) == "ا" * MAX_NAME_LENGTH


def test_clean_name_refuses_an_overlong_name_and_says_the_limit() -> None:
    with pytest.raises(InvalidName) as caught:
        clean_name("ا" * (MAX_NAME_LENGTH + 1))
    assert re.search("limit is 80", said(caught.value))


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "\u200b\u200f\ufeff", ZWNJ])
def test_clean_name_refuses_empty(raw: str) -> None:
    with pytest.raises(InvalidName) as caught:
        clean_name(raw)
    assert re.search("empty", said(caught.value))
    assert "e.g." in said(caught.value)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Sara 😀", "😀"),
        ("سارا ❤️", "❤"),
        ("Sara2", "2"),
        ("سارا ۲", "۲"),
        ("<b>Sara</b>", "<"),
        ("sara@example", "@"),
    ],
)
def test_clean_name_refuses_characters_that_are_not_in_names(raw: str, shown: str) -> None:
    with pytest.raises(InvalidName) as caught:
        clean_name(raw)
    message = said(caught.value)
    assert f'"{shown}"' in message
    assert "Use only letters" in message


@pytest.mark.parametrize(
    "raw",
    ["\u0640", "\u0640\u0640\u0640", "\u064b", "\u0640\u0301", "\u3164", "\u115f\u1160", "\uffa0"],
)
def test_clean_name_refuses_a_name_that_shows_no_letter(raw: str) -> None:
    """Tatweel, combining marks alone and the Hangul fillers fold away to nothing."""
    with pytest.raises(InvalidName) as caught:
        clean_name(raw)
    assert re.search(r"empty|no letters", said(caught.value))


def test_hangul_fillers_are_read_as_spaces() -> None:
    assert clean_name("Sara\u3164Ahmadi\uffa0") == "Sara Ahmadi"


def test_a_curly_apostrophe_is_searched_as_it_is_stored() -> None:
    assert fold_for_search("O\u2019Brien") == fold_for_search(clean_name("O\u2019Brien"))


def test_clean_name_refuses_a_name_without_letters() -> None:
    with pytest.raises(InvalidName) as caught:
        clean_name(". - '")
    assert re.search("no letters", said(caught.value))


def test_invalid_name_is_a_value_error_carrying_its_code() -> None:
    with pytest.raises(ValueError) as caught:
        clean_name("")
    assert re.search("empty", said(caught.value))
    assert isinstance(caught.value, InvalidName)
    assert caught.value.code == "name_empty"
    assert said(caught.value, "fa").startswith("نام خالی است.")


@given(st.text(max_size=120))
def test_clean_name_either_cleans_or_refuses_with_invalid_name(raw: str) -> None:
    try:
        name = clean_name(raw)
    except InvalidName as refused:
        assert said(refused)
        return
    assert name == name.strip()
    assert "  " not in name
    assert 0 < len(name) <= MAX_NAME_LENGTH
    assert all(unicodedata.category(ch) != "Cf" or ch == ZWNJ for ch in name)
    assert clean_name(name) == name


# --- fold_for_search ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("علي", "علی"),
        ("كاظم", "کاظم"),
        ("آرش", "ارش"),
        ("عَلِی", "علی"),
        (f"علی{ZWNJ}اکبر", "علیاکبر"),
        ("SARA  Ahmadi", "sara ahmadi"),
        ("José", "jose"),
        ("Straße", "STRASSE"),
        ("پائیز", "پاییز"),
        ("\u200fسارا\u200e", "سارا"),
        ("۱۴۰۵", "1405"),
    ],
)
def test_fold_for_search_matches_spelling_variants(one: str, other: str) -> None:
    assert fold_for_search(one) == fold_for_search(other)


def test_fold_for_search_keeps_different_names_apart() -> None:
    assert fold_for_search("سارا") != fold_for_search("زهرا")


def test_fold_for_search_finds_a_patient_by_part_of_the_name() -> None:
    stored = fold_for_search(f"علی{ZWNJ}رضا   احمدي")
    assert fold_for_search("رضا احمدی") in stored
    assert fold_for_search("مریم") not in stored


@given(st.text())
def test_fold_for_search_is_idempotent(text: str) -> None:
    folded = fold_for_search(text)
    assert fold_for_search(folded) == folded


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "09123456789"),
        ("٠٩١٢-٣٤٥-٦٧٨٩", "09123456789"),
        ("+98 (912) 345-6789", "+989123456789"),
        ("0098 912 345 6789", "+989123456789"),
        ("\u200e0912.345.6789\u200f", "09123456789"),
    ],
)
def test_clean_phone_keeps_digits_and_a_leading_plus(typed: str, stored: str) -> None:
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "123456", "1234567890123456", "0912 abc", "++989123456789", "12+34567"]
)
def test_clean_phone_refuses_what_cannot_be_dialled(typed: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        clean_phone(typed)
    assert re.search("7 to 15 digits", said(caught.value))
