"""The direction rules on their own (care.bidi); tests/care/content/test_right_to_left.py lays out
every catalog text with them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care.content.bidi import FSI, LRI, LRM, PDI, RLM, anchor_lines, isolate_value, mark_runs


@pytest.mark.parametrize(
    ("words", "marked"),
    [
        ("/start را بفرستید", f"{LRI}/start{PDI} را بفرستید"),
        ("تلفن ۰۲۱ ۸۸۷۷ ۶۶۵۵ است", f"تلفن {LRI}۰۲۱ ۸۸۷۷ ۶۶۵۵{PDI} است"),
        ("شماره +98 912 345 6789", f"شماره {LRI}+98 912 345 6789{PDI}"),
        ("ساعت ۱۰:۳۰", f"ساعت {LRI}۱۰:۳۰{PDI}"),
        ("در ۲۴ ساعت، ۲ تا ۴ روز", "در ۲۴ ساعت، ۲ تا ۴ روز"),  # one number alone cannot flip
        ("t.me/mesocare و a/b و //x", "t.me/mesocare و a/b و //x"),  # not commands
        (f"{FSI}/start ۰۲۱ ۱۲۳۴{PDI}", f"{FSI}/start ۰۲۱ ۱۲۳۴{PDI}"),  # isolated already
    ],
)
def test_commands_and_number_runs_are_isolated_in_the_texts_own_words(
    words: str, marked: str
) -> None:
    assert mark_runs(words) == marked


def test_in_right_to_left_text_every_value_is_isolated() -> None:
    assert isolate_value("clinic_phone", "۰۹۱۲۳۴۵۶۷۸۹", True) == f"{LRI}۰۹۱۲۳۴۵۶۷۸۹{PDI}"
    assert isolate_value("patient_name", "سارا احمدی", True) == f"{FSI}سارا احمدی{PDI}"
    assert isolate_value("patient_name", "Sara", True) == f"{FSI}Sara{PDI}"
    assert isolate_value("session_number", "۲", True) == f"{FSI}۲{PDI}"
    address = "خیابان ولیعصر، تلفن ۰۲۱ ۱۲۳۴"  # a number run inside a value keeps its order
    assert isolate_value("clinic_address", address, True) == (
        f"{FSI}خیابان ولیعصر، تلفن {LRI}۰۲۱ ۱۲۳۴{PDI}{PDI}"
    )
    assert isolate_value("appointment_list", "• یک\n\n• دو", True) == (
        f"{FSI}• یک{PDI}\n\n{FSI}• دو{PDI}"  # a line ends an isolate: one per line
    )
    assert isolate_value("token_hint", "", True) == ""


def test_in_left_to_right_text_only_right_to_left_values_are_isolated() -> None:
    assert isolate_value("patient_name", "سارا احمدی", False) == f"{FSI}سارا احمدی{PDI}"
    assert isolate_value("clinic_phone", "٠٩١٢ ٣٤٥", False) == f"{LRI}٠٩١٢ ٣٤٥{PDI}"  # Arabic
    assert isolate_value("patient_name", "Sara Ahmadi", False) == "Sara Ahmadi"
    assert isolate_value("clinic_phone", "+98 912 345 6789", False) == "+98 912 345 6789"


def test_a_line_led_by_an_isolate_gets_the_texts_direction_mark() -> None:
    text = f"{FSI}Sara{PDI} عزیز\nسلام {FSI}Sara{PDI}\n• {FSI}۲{PDI}"
    assert (
        anchor_lines(text, True)
        == f"{RLM}{FSI}Sara{PDI} عزیز\nسلام {FSI}Sara{PDI}\n{RLM}• {FSI}۲{PDI}"
    )
    assert anchor_lines(f"{FSI}سارا{PDI}, welcome", False) == f"{LRM}{FSI}سارا{PDI}, welcome"


TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@given(st.text(alphabet=TOKEN_CHARACTERS, min_size=1, max_size=64))
def test_an_invite_link_is_never_cut_by_a_mark_whatever_its_token(token: str) -> None:
    """A token such as "QVwG3-4abc" once got isolates around "3-4": the link opened as an
    invalid invite for about one Persian enrolment in a hundred."""
    link = f"https://t.me/mesocare_bot?start={token}"
    for text in (f"پیوند: {link}", f"پیوند:\n{link}\nساعت ۱۰:۳۰"):
        assert link in mark_runs(text)
        assert link in isolate_value("link", text, right_to_left=True)


def test_digits_inside_a_word_are_not_a_number_run() -> None:
    assert mark_runs("کد G3-4abc و x12:30") == "کد G3-4abc و x12:30"
    assert mark_runs("ساعت 10:30 و 12-4") == f"ساعت {LRI}10:30{PDI} و {LRI}12-4{PDI}"
