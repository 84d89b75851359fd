"""The card stays one Telegram message however long the course: finished sessions shrink
first, then every session, then the oldest are left out with a note."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.common.staff_voice import Voice
from bot.desk.card_view import MESSAGE_LIMIT, card_keyboard, card_text
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.models import (
    Appointment,
    AppointmentStatus,
    CareMessage,
    MessageState,
    Patient,
    PatientStatus,
)
from care.desk.card import LinkStatus, PatientCard, Session
from tests.conftest import TEHRAN

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
EN = Voice(CATALOG, "en", TEHRAN)
FA = Voice(CATALOG, "fa", TEHRAN)

START = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
STEPS = ("pre_care", "day_of", "post_care", "wash_ok", "check_in", "follow_up")


def _session(number: int, count: int, status: AppointmentStatus) -> Session:
    starts = START + timedelta(days=14 * number)
    appointment = Appointment(number, 1, starts, starts, number, count, "face", status)
    done = status is AppointmentStatus.DONE
    sent_or_pending = MessageState.SENT if done else MessageState.PENDING
    messages = [
        CareMessage(
            id=number * 10 + index,
            appointment_id=number,
            patient_id=1,
            step=step,
            due_at=starts + timedelta(hours=index),
            expires_at=starts + timedelta(days=1),
            state=sent_or_pending,
            reason="a rather long reason that goes on and on and on" if index == 5 else None,
            attempts=1,
            sent_at=None,
            answer="blood_thinner" if step == "pre_care" else None,
        )
        for index, step in enumerate(STEPS)
    ]
    return Session(appointment, messages)


def _card(sessions: int, done: int, status: PatientStatus = PatientStatus.ACTIVE) -> PatientCard:
    patient = Patient(1, "Sara Ahmadi", "+98 912 123 4567", "fa", 5001, status)
    course = [
        _session(n, sessions, AppointmentStatus.DONE if n <= done else AppointmentStatus.BOOKED)
        for n in range(1, sessions + 1)
    ]
    return PatientCard(patient, LinkStatus.LINKED, None, course)


def test_a_short_card_shows_every_message_with_its_due_time_state_and_answer() -> None:
    text = card_text(_card(2, 1), EN)
    assert "Sara Ahmadi (patient #1)" in text
    assert "Phone: +98 912 123 4567" in text and "Language: Persian" in text
    assert "Telegram: linked" in text
    assert "#1 · 2026-12-20 10:30 · session 1 of 2 · Face · done" in text
    answered = "answered: I take a prescribed blood thinner"
    assert f"• Pre-session reminder 2026-12-20 10:30 — sent · {answered}" in text
    assert "• Day-of reminder 2027-01-03 11:30 — pending" in text


def test_a_long_course_fits_one_message_and_keeps_upcoming_sessions_in_full() -> None:
    card = _card(12, 8)
    full = card_text(card, EN, limit=100_000)
    assert len(full) > 3200
    text = card_text(card, EN, limit=3200)
    assert len(text) <= 3200
    assert "6 messages: 6 sent" in text  # a finished session in one line
    assert (
        "Pre-session reminder: answered I take a prescribed blood thinner" in text
    )  # its answers kept
    assert "• Day-of reminder 2027-05-23 11:30 — pending" in text  # session 12 in full


def test_when_even_the_summaries_are_too_long_the_oldest_sessions_are_left_out() -> None:
    text = card_text(_card(40, 30), EN, limit=MESSAGE_LIMIT)
    assert len(text) <= MESSAGE_LIMIT
    assert "earlier session(s) not shown" in text
    assert "#40 · " in text
    assert "#1 · " not in text


def test_an_erased_patient_shows_no_name_and_gets_no_buttons() -> None:
    card = _card(1, 0, PatientStatus.ERASED)
    text = card_text(card, EN)
    assert "Sara" not in text and "+98" not in text
    assert card_keyboard(card, EN) is None


def test_buttons_open_each_booked_session_and_the_patient_s_actions() -> None:
    markup = card_keyboard(_card(3, 1), EN)
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == ["ap:1:2", "ap:1:3", "ask:add:1:0", "ask:lang:1:0:en", "ask:pause:1:0", "cv:1"]


def test_a_persian_card_names_steps_and_states_with_solar_hijri_dates() -> None:
    text = re.sub("[\u200e\u200f\u2066-\u2069]", "", card_text(_card(2, 1), FA))
    assert "بیمار شمارهٔ ۱" in text and "زبان: فارسی" in text
    assert "• یادآوری پیش از جلسه، یکشنبه ۲۹ آذر ۱۴۰۵ (۲۰۲۶-۱۲-۲۰)، ساعت ۱۰:۳۰ — ارسال شد" in text
    assert "pre_care" not in text and "sent" not in text
    assert not re.search("[0-9]", text.replace("+98 912 123 4567", ""))  # Persian digits
