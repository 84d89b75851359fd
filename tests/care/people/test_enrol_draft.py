"""The guided enrolment's draft: each answer is checked before it is kept."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from care.people.enrol_draft import (
    EnrolDraft,
    Field,
    answer_picked,
    answer_typed,
    check_draft_start,
)
from care.people.enrol_input import EnrolInputError
from tests.conftest import FakeClock
from tests.problems import said

TEHRAN = ZoneInfo("Asia/Tehran")


def _draft() -> EnrolDraft:
    return EnrolDraft(nonce="abc123", language="fa")


def test_a_typed_solar_hijri_date_is_kept_as_its_gregorian_day(clock: FakeClock) -> None:
    draft = _draft()
    answer_typed(draft, Field.DAY, "۱۴۰۵-۰۹-۲۲", now=clock.now(), tz=TEHRAN)
    assert draft.day == date(2026, 12, 13)
    answer_typed(draft, Field.DAY, "۲۹ آذر", now=clock.now(), tz=TEHRAN)  # a month by name
    assert draft.day == date(2026, 12, 20)


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        (Field.NAME, "   ", "The name is empty"),
        (Field.DAY, "2026-12-05", "has already passed"),
        (Field.DAY, "2028-12-05", "more than 400 days"),
        (Field.DAY, "yesterday", "is not a date I can read"),
        (Field.TIME, "9", "is not a time I can read"),
        (Field.COUNT, "²", "from 1 to 10"),
        (Field.EVERY, "90", "from 1 to 60"),
        (Field.PHONE, "n/a", "phone number"),
        (Field.AREA, "face", "choose one of the buttons"),
    ],
)
def test_a_bad_answer_says_why_and_changes_nothing(
    clock: FakeClock, field: Field, text: str, reason: str
) -> None:
    draft = _draft()
    before = EnrolDraft(**vars(draft))
    with pytest.raises(EnrolInputError) as caught:
        answer_typed(draft, field, text, now=clock.now(), tz=TEHRAN)
    assert re.search(reason, said(caught.value))
    assert draft == before


def test_a_time_already_past_today_is_refused_and_the_old_time_kept(clock: FakeClock) -> None:
    draft = _draft()
    answer_typed(draft, Field.DAY, "2026-12-06", now=clock.now(), tz=TEHRAN)  # 10:30 there
    answer_typed(draft, Field.TIME, "11:00", now=clock.now(), tz=TEHRAN)
    with pytest.raises(EnrolInputError) as caught:
        answer_typed(draft, Field.TIME, "10:00", now=clock.now(), tz=TEHRAN)
    assert re.search("already passed", said(caught.value))
    assert draft.at == time(11, 0)
    clock.advance(hours=1)
    with pytest.raises(EnrolInputError) as caught:
        check_draft_start(draft, now=clock.now(), tz=TEHRAN)
    assert re.search("already passed", said(caught.value))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Field.AREA, "liver"),
        (Field.LANGUAGE, "de"),
        (Field.PHONE, "0912"),
        (Field.TIME, "2500"),
        (Field.COUNT, "0"),
        (Field.DAY, "2026-13-01"),
        (Field.NAME, "Eve"),
    ],
)
def test_a_forged_button_value_is_refused(clock: FakeClock, field: Field, value: str) -> None:
    draft = _draft()
    with pytest.raises(EnrolInputError):
        answer_picked(draft, field, value, now=clock.now(), tz=TEHRAN)
    assert draft == _draft()


def test_picked_values_are_stored_by_key(clock: FakeClock) -> None:
    draft = _draft()
    now = clock.now()
    for field, value in [
        (Field.AREA, "double_chin"),
        (Field.LANGUAGE, "en"),
        (Field.DAY, "2026-12-08"),
        (Field.TIME, "1430"),
        (Field.COUNT, "6"),
        (Field.PHONE, "skip"),
    ]:
        answer_picked(draft, field, value, now=now, tz=TEHRAN)
    assert (draft.area, draft.language, draft.day) == ("double_chin", "en", date(2026, 12, 8))
    assert (draft.at, draft.session_count, draft.phone) == (time(14, 30), 6, None)
    assert (draft.area, draft.language, draft.session_count, draft.phone) == (
        "double_chin",
        "en",
        6,
        None,
    )
    assert draft.starts_at(TEHRAN).isoformat() == "2026-12-08T11:00:00+00:00"
