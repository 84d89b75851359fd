"""Every button family's codec: what it writes it reads back, within Telegram's 64 bytes, in
the format buttons already sent in chats carry; anything else reads as None; and every button
a codec writes reaches its handler through the codec's own pattern."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.desk import agenda_buttons, forget_buttons, merge_buttons
from bot.desk.agenda_buttons import PageButton
from bot.desk.forget_buttons import ForgetButton
from bot.desk.merge_buttons import MergeButton, MergeStep
from bot.enrol import buttons as enrol_buttons
from bot.enrol.buttons import EnrolButton
from bot.patient import faq_buttons, language_buttons, reschedule_buttons, stop_buttons
from bot.patient.language_buttons import LanguageButton
from bot.patient.reschedule_buttons import Picker, Press
from bot.staff import language_buttons as staff_language_buttons
from bot.staff import member_buttons
from bot.staff.member_buttons import Member
from care.content.catalog import FAQ_TOPICS
from care.core.channels import TELEGRAM
from jobs.channels.bale import BALE

# (the data a codec writes, what it reads back, the codec's pattern, its reader)
KNOWN: list[tuple[str, object, str, Callable[[str], object]]] = [
    ("lang:welcome:fa", LanguageButton("welcome", "fa"), language_buttons.PATTERN,
     language_buttons.decode),
    ("lang:menu:en", LanguageButton("menu", "en"), language_buttons.PATTERN,
     language_buttons.decode),
    ("stop:yes", True, stop_buttons.PATTERN, stop_buttons.decode),
    ("stop:no", False, stop_buttons.PATTERN, stop_buttons.decode),
    ("slang:en", "en", staff_language_buttons.PATTERN, staff_language_buttons.decode),
    ("agenda:u:7:2", PageButton("u", 7, 2), agenda_buttons.PATTERN, agenda_buttons.decode),
    ("forget:12:yes", ForgetButton(12, erase=True), forget_buttons.PATTERN,
     forget_buttons.decode),
    ("forget:12:no", ForgetButton(12, erase=False), forget_buttons.PATTERN,
     forget_buttons.decode),
    ("enrol:0a1b2c:area:face", EnrolButton("0a1b2c", "area", "face"), enrol_buttons.PATTERN,
     enrol_buttons.decode),
    ("staff:remove:telegram:42", Member(TELEGRAM, 42), member_buttons.REMOVE_PATTERN,
     member_buttons.member_of),
    ("staff:removeok:bale:42", Member(BALE, 42), member_buttons.REMOVE_CONFIRMED_PATTERN,
     member_buttons.member_of),
    ("mg:pick:7", MergeButton(MergeStep.PICK, 7), merge_buttons.PATTERN, merge_buttons.decode),
    ("mg:ask:7:12", MergeButton(MergeStep.ASK, 7, 12), merge_buttons.PATTERN,
     merge_buttons.decode),
    ("mg:ok:7:12", MergeButton(MergeStep.CONFIRM, 7, 12), merge_buttons.PATTERN,
     merge_buttons.decode),
    ("rq:t:12:5:20261212:3:5", (Press.TOGGLE, Picker(12, 5, date(2026, 12, 12), 3, 5)),
     reschedule_buttons.PATTERN, reschedule_buttons.decode),
]  # fmt: skip
ENCODED = [
    language_buttons.encode(LanguageButton("welcome", "fa")),
    language_buttons.encode(LanguageButton("menu", "en")),
    stop_buttons.encode(confirm=True),
    stop_buttons.encode(confirm=False),
    staff_language_buttons.encode("en"),
    agenda_buttons.encode(PageButton("u", 7, 2)),
    forget_buttons.encode(ForgetButton(12, erase=True)),
    forget_buttons.encode(ForgetButton(12, erase=False)),
    enrol_buttons.encode(EnrolButton("0a1b2c", "area", "face")),
    member_buttons.remove(Member(TELEGRAM, 42)),
    member_buttons.remove_confirmed(Member(BALE, 42)),
    merge_buttons.encode(MergeButton(MergeStep.PICK, 7)),
    merge_buttons.encode(MergeButton(MergeStep.ASK, 7, 12)),
    merge_buttons.encode(MergeButton(MergeStep.CONFIRM, 7, 12)),
    reschedule_buttons.encode(Press.TOGGLE, Picker(12, 5, date(2026, 12, 12), 3, 5)),
]
READERS = [reader for _, _, _, reader in KNOWN] + [faq_buttons.decode]


def test_each_codec_writes_the_format_already_in_chats_and_reads_it_back() -> None:
    assert [data for data, _, _, _ in KNOWN] == ENCODED
    for data, value, pattern, read in KNOWN:
        assert read(data) == value, data
        assert re.match(pattern, data), data
        assert len(data.encode()) <= 64


def test_faq_buttons_name_only_known_topics() -> None:
    for topic in FAQ_TOPICS:
        data = faq_buttons.encode(topic)
        assert faq_buttons.decode(data) == topic and re.match(faq_buttons.PATTERN, data)
    assert faq_buttons.decode("faq:nonsense") is None
    assert faq_buttons.decode(FAQ_TOPICS[0]) is None  # the prefix is not optional


def test_staff_member_buttons_have_one_pattern_each() -> None:
    assert re.match(member_buttons.INVITE_PATTERN, member_buttons.INVITE)
    assert re.match(member_buttons.KEEP_PATTERN, member_buttons.KEEP)
    assert not re.match(
        member_buttons.REMOVE_PATTERN, member_buttons.remove_confirmed(Member(TELEGRAM, 1))
    )
    assert member_buttons.member_of(member_buttons.INVITE) is None


def test_staff_remove_buttons_already_in_chats_name_a_telegram_user() -> None:
    """Before staff had a messenger, remove buttons carried the id alone: Telegram's."""
    for data in ("staff:remove:42", "staff:removeok:42"):
        assert member_buttons.member_of(data) == Member(TELEGRAM, 42), data
    assert re.match(member_buttons.REMOVE_PATTERN, "staff:remove:42")
    assert re.match(member_buttons.REMOVE_CONFIRMED_PATTERN, "staff:removeok:42")


def test_forged_or_malformed_data_reads_as_none() -> None:
    forged = [
        "lang:welcome:de",  # a language the bot does not speak
        "lang:elsewhere:fa",
        "stop:maybe",
        "slang:xx",
        "agenda:x:7:2",
        "agenda:u:7:2:9",
        "forget:12:perhaps",
        "forget:۱۲:yes",  # Persian digits are typed, never written by the bot
        "enrol:0A1B2C:area:face",
        "staff:remove:",
        "staff:remove:sms:42",  # a messenger the bot does not serve
        "staff:remove:Telegram:42",
        "staff:removeok:bale:",
        "staff:remove:bale:telegram:42",
        "mg:ok:7",  # a confirmation names both records
        "mg:pick:7:12",
        "mg:ok:7:x",
        "mg:merge:7:12",
        "rq:t:12:5:20261312:3:5",  # no 13th month
        "rq:t:12:5:20261212:64:5",  # a seventh day the picker never offers
        "rq:s:12:5:20261212:3:8",
        "rq:t:12:5:20261212:3:5:1",
        "",
    ]
    for data in forged:
        assert all(read(data) in (None,) for read in READERS), data


@given(st.text(max_size=70))
def test_whatever_a_codec_accepts_it_would_have_written(data: str) -> None:
    """Strict reading: no reader accepts anything but the exact shapes its writer makes."""
    for read in READERS:
        if read(data) is not None:
            assert data in ENCODED or data.startswith(
                ("enrol:", "agenda:", "forget:", "faq:", "mg:", "rq:", "staff:")
            )
            assert data.isascii() and len(data) <= 64


@given(
    press=st.sampled_from(list(Press)),
    message=st.integers(min_value=1, max_value=10**12 - 1),
    chat_message=st.integers(min_value=0, max_value=10**12 - 1),
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
    days=st.integers(min_value=0, max_value=63),
    parts=st.integers(min_value=0, max_value=7),
)
def test_the_reschedule_picker_reads_back_what_it_writes(
    press: Press, message: int, chat_message: int, first: date, days: int, parts: int
) -> None:
    picker = Picker(message, chat_message, first, days, parts)
    data = reschedule_buttons.encode(press, picker)
    assert reschedule_buttons.decode(data) == (press, picker)
    assert re.match(reschedule_buttons.PATTERN, data) and len(data.encode()) <= 64
