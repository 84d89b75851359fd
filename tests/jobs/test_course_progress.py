"""Course progress: the care messages about a session say where the patient is in their course,
and the follow-up after the last session says the course is complete."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from care.content.bidi import FSI, LRI, LRM, PDI, RLM
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db.messages import Claim
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol
from jobs.compose import Clinic, Composer

_COMPOSER = Composer(
    load_catalog(DEFAULT_MESSAGES_DIR),
    load_protocol(DEFAULT_PROTOCOL_PATH),
    Clinic("Test Clinic", "+98 21 1234 5678", "1 Test Street", "115"),
    ZoneInfo("Asia/Tehran"),
)
_CLAIM = Claim(
    message_id=1,
    step="pre_care",
    attempts=1,
    due_at=0,
    expires_at=10,
    chat_id=5,
    patient_id=2,
    language="fa",
    patient_name="Sara Ahmadi",
    appointment_id=3,
    starts_at=1_790_000_000,
    session_number=3,
    session_count=6,
)
_PROGRESS = {"fa": "جلسهٔ ۳ از ۶", "en": "session 3 of 6"}
_COMPLETE = {"fa": "دورهٔ مزوتراپی شما کامل شده است", "en": "your mesotherapy course is complete"}


def _plain(text: str) -> str:
    """The text as read: without the invisible direction marks."""
    return "".join(ch for ch in text if ch not in (FSI, LRI, PDI, LRM, RLM))


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("step", ["pre_care", "day_of", "post_care", "check_in"])
def test_session_messages_say_where_the_patient_is(lang: str, step: str) -> None:
    text = _plain(_COMPOSER.care_message(replace(_CLAIM, step=step, language=lang)).text)
    assert _PROGRESS[lang] in text.lower()
    assert _COMPLETE[lang] not in text


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_follow_up_after_the_last_session_says_the_course_is_complete(lang: str) -> None:
    last = replace(_CLAIM, step="follow_up", language=lang, session_number=6)
    text = _plain(_COMPOSER.care_message(last).text)
    assert _COMPLETE[lang] in text
    assert {"fa": "جلسهٔ ۶ از ۶", "en": "session 6 of 6"}[lang] in text
