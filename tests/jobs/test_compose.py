"""Writing a care message: every value a clinic's text may use is filled in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from care.content.catalog import DEFAULT_MESSAGES_DIR, STEP_PLACEHOLDERS, load_catalog
from care.db.messages import Claim
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol
from jobs.compose import Clinic, Composer


def _claim(language: str) -> Claim:
    return Claim(
        message_id=1,
        step="pre_care",
        attempts=1,
        due_at=0,
        expires_at=10,
        chat_id=5,
        patient_id=2,
        language=language,
        patient_name="Sara Ahmadi",
        appointment_id=3,
        starts_at=1_790_000_000,
        session_number=2,
        session_count=4,
    )


def test_step_values_cover_exactly_what_step_texts_may_use() -> None:
    composer = Composer(
        load_catalog(DEFAULT_MESSAGES_DIR),
        load_protocol(DEFAULT_PROTOCOL_PATH),
        Clinic("Test Clinic", "+98 21 1234 5678", "1 Test Street", "115"),
        ZoneInfo("Asia/Tehran"),
    )
    for language in ("fa", "en"):
        values = composer.step_values(_claim(language))
        assert set(values) == STEP_PLACEHOLDERS
        assert all(values.values())
    assert composer.step_values(_claim("fa"))["session_count"] == "۴"
