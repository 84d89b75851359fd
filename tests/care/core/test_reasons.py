"""Stored reasons are codes; staff read them in words, in their own language."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.staff_voice import Voice
from bot.desk.card_view import reason_text
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.reasons import Reason, parse, with_detail
from tests.conftest import TEHRAN

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)


@pytest.mark.parametrize("reason", list(Reason))
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_reason_has_words_in_both_languages(reason: Reason, lang: str) -> None:
    assert CATALOG.has(lang, f"card.reason_{reason.value}")


@given(st.sampled_from(list(Reason)), st.text(max_size=300))
def test_a_detail_never_changes_the_code_and_stays_one_bounded_line(
    reason: Reason, detail: str
) -> None:
    stored = with_detail(reason, detail)
    code, kept = parse(stored)
    assert code is reason
    assert "\n" not in stored and len(kept) <= 120


@pytest.mark.parametrize(
    ("legacy", "code"),
    [
        ("expired before it could be sent", Reason.EXPIRED),
        ("appointment cancelled", Reason.CANCELLED),
        ("patient did not come", Reason.NO_SHOW),
        ("quiet hours", Reason.QUIET_HOURS),
        ("gave up: TimedOut: Timed out", Reason.GAVE_UP),
        ("Telegram refused it: Bad Request: chat not found", Reason.REFUSED),
        (
            "booked too late: pre_care was useless after 2026-05-10T06:30:00+00:00",
            Reason.BOOKED_TOO_LATE,
        ),
        ("the patient typed something", None),
    ],
)
def test_sentences_stored_before_the_codes_read_as_their_code(
    legacy: str, code: Reason | None
) -> None:
    found, text = parse(legacy)
    assert found is code
    assert code is not None or text == legacy


def test_the_desk_reads_a_reason_in_persian_without_its_technical_detail() -> None:
    voice = Voice(CATALOG, "fa", TEHRAN)
    shown = reason_text(voice, with_detail(Reason.GAVE_UP, "TimedOut: Timed out"))
    assert shown == CATALOG.text("fa", "card.reason_gave_up")
    assert "TimedOut" not in shown
    assert reason_text(voice, "gave up: NetworkError") == shown


def test_free_text_of_unknown_origin_is_shown_shortened() -> None:
    voice = Voice(CATALOG, "en", TEHRAN)
    assert reason_text(voice, "typed by hand") == "typed by hand"
    assert reason_text(voice, "x" * 80) == "x" * 39 + "…"
