"""The guided /enrol, driven through the real application and the Bot API stand-in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telegram.ext import ConversationHandler

from care.core.models import Appointment, Patient
from care.db import appointments, audit, patients
from tests.calls import buttons, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, PNG_SIGNATURE, Chat, Driver, driving
from tests.fakes.bot_api import ApiCall

STRANGER = 3003


def _all_patients(conn: sqlite3.Connection) -> list[Patient]:
    ids = [row[0] for row in conn.execute("SELECT id FROM patients ORDER BY id")]
    return [p for p in (patients.get(conn, i) for i in ids) if p is not None]


def _all_appointments(conn: sqlite3.Connection) -> list[Appointment]:
    ids = [row[0] for row in conn.execute("SELECT id FROM appointments ORDER BY id")]
    return [a for a in (appointments.get(conn, i) for i in ids) if a is not None]


async def _count_rows(desk: Driver) -> tuple[int, int, int]:
    def count(conn: sqlite3.Connection) -> tuple[int, int, int]:
        patients, appointments, invites = (
            int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("patients", "appointments", "invites")
        )
        return patients, appointments, invites

    return await desk.services.db.run(count)


async def _answer_up_to_the_summary(staff: Chat) -> ApiCall:
    """Sara Ahmadi, the day after tomorrow at 14:00, face, 4 sessions every 21 days, a phone
    in Persian digits, English; returns the summary message."""
    (ask_name,) = await staff.send("/enrol")
    assert "full name" in text_of(ask_name)
    (ask_day,) = await staff.send("Sara Ahmadi")
    assert len(buttons(ask_day)) == 7
    assert "Tue 8 Dec · 17 Azar" in buttons(ask_day)  # both calendars on each day
    _, (chosen, ask_time) = await staff.press("Tue 8 Dec", under=ask_day, expect=2)
    assert "✓ Tue 8 Dec 2026 · 17 Azar 1405" in text_of(chosen)
    assert "reply_markup" not in chosen.params  # the day buttons are gone
    ask_area = await staff.choose(ask_time, "14:00")
    assert set(buttons(ask_area)) >= {"Face", "Scalp / hair", "Double chin", "Other"}
    ask_count = await staff.choose(ask_area, "Face")
    ask_every = await staff.choose(ask_count, "4")
    assert "days between sessions" in text_of(ask_every)  # asked because 4 > 1
    (ask_phone,) = await staff.send("21")
    assert "Skip" in buttons(ask_phone)
    (ask_language,) = await staff.send("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    return await staff.choose(ask_language, "English")


async def test_guided_enrol_with_an_edit_enrols_the_whole_course_and_sends_the_qr(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        summary = await _answer_up_to_the_summary(staff)
        text = text_of(summary)
        assert "Name: Sara Ahmadi" in text
        assert "First session: Tue 8 Dec 2026 · 17 Azar 1405, 14:00 clinic time" in text
        assert "Sessions: 4, every 21 days (the last on Tue 9 Feb 2027 · 20 Bahman 1405)" in text
        assert "Phone: 09123456789" in text
        assert set(buttons(summary)) == {"✅ Confirm", "✏️ Edit", "✖️ Cancel"}

        choices = await staff.choose(summary, "Edit")
        ask_name = await staff.choose(choices, "Name")
        assert "full name" in text_of(ask_name)
        (summary,) = await staff.send("Sara Ahmadi-Rad")  # straight back to the summary
        assert "Name: Sara Ahmadi-Rad" in text_of(summary)
        assert await _count_rows(desk) == (0, 0, 0)  # nothing is stored before Confirm

        _, (confirmed, enrolled, qr) = await staff.press("Confirm", under=summary, expect=3)
        assert "✓ Confirmed" in text_of(confirmed)
        assert "Enrolled Sara Ahmadi-Rad: appointment #1" in text_of(enrolled)
        assert "4 sessions, every 21 days (appointments #1 to #4)" in text_of(enrolled)
        assert "https://t.me/mesocare_test_bot?start=" in text_of(enrolled)
        assert qr.method == "sendPhoto"
        assert bytes(qr.params["photo"]).startswith(PNG_SIGNATURE)
        assert "/invite 1" in text_of(qr)

        stored = await desk.services.db.run(_all_patients)
        booked = await desk.services.db.run(_all_appointments)
        actions = await desk.services.db.run(audit.actions, "patient:1")
    (patient,) = stored
    assert (patient.full_name, patient.phone, patient.language) == (
        "Sara Ahmadi-Rad",
        "09123456789",
        "en",
    )
    assert [a.area for a in booked] == ["face"] * 4
    assert [(a.starts_at - booked[0].starts_at).days for a in booked] == [0, 21, 42, 63]
    assert booked[0].starts_at.isoformat() == "2026-12-08T10:30:00+00:00"  # 14:00 in Tehran
    assert actions == ["enrol"]


async def test_typed_solar_hijri_date_typed_time_single_session_skip_phone(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        await staff.send("/enrol")
        await staff.send("Reza Karimi")
        (ask_time,) = await staff.send("۱۴۰۵/۰۹/۲۰")  # Solar Hijri, Persian digits
        assert "Fri 11 Dec 2026 · 20 Azar 1405" in text_of(ask_time)
        (ask_area,) = await staff.send("۹:۳۰")
        ask_count = await staff.choose(ask_area, "Scalp")
        ask_phone = await staff.choose(ask_count, "1")
        assert "phone" in text_of(ask_phone)  # one session: no question about the interval
        ask_language = await staff.choose(ask_phone, "Skip")
        summary = await staff.choose(ask_language, "Persian")
        assert "Sessions: 1\n" in text_of(summary)
        assert "Phone: not given" in text_of(summary)
        await staff.press("Confirm", under=summary, expect=3)
        (patient,) = await desk.services.db.run(_all_patients)
        (booked,) = await desk.services.db.run(_all_appointments)
    assert (patient.phone, patient.language) == (None, "fa")
    assert (booked.area, booked.session_count) == ("scalp", 1)
    assert booked.starts_at.isoformat() == "2026-12-11T06:00:00+00:00"


async def test_bad_answers_get_a_reason_and_the_same_question(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        await staff.send("/enrol")
        (again,) = await staff.send("R2-D2 <script>")
        assert "cannot be part of a name" in text_of(again)
        assert "full name" in text_of(again)
        await staff.send("Reza Karimi")
        (again,) = await staff.send("2026-02-30")
        assert "February 2026 has 28 days" in text_of(again)
        assert len(buttons(again)) == 7  # the same question, with its buttons
        (again,) = await staff.send("2026-12-01")
        assert "has already passed" in text_of(again)
        (ask_time,) = await staff.send("2026-12-06")  # today, 10:30 in Tehran
        assert "09:00" not in buttons(ask_time)  # slots already past today are not offered
        assert "11:00" in buttons(ask_time)
        (again,) = await staff.send("10:00")
        assert "already passed" in text_of(again)
        (again,) = await staff.send("25:00")
        assert "hours run from 00 to 23" in text_of(again)
        (ask_area,) = await staff.send("18:00")
        (again,) = await staff.send("face")
        assert "choose one of the buttons" in text_of(again)
        ask_count = await staff.choose(ask_area, "Arms")
        assert "How many sessions" in text_of(ask_count)
        (again,) = await staff.send("11")
        assert "from 1 to 10" in text_of(again)
        (ask_every,) = await staff.send("3")
        assert "days between sessions" in text_of(ask_every)
        (again,) = await staff.send("0")
        assert "from 1 to 60" in text_of(again)
        (ask_phone,) = await staff.send("7")
        assert "phone number" in text_of(ask_phone)
        (again,) = await staff.send("call me")
        assert "does not look like a phone number" in text_of(again)
        assert "Skip" in buttons(again)
        (ask_language,) = await staff.send("+98 912 345 6789")
        summary = await staff.choose(ask_language, "English")
        assert "Sessions: 3, every 7 days" in text_of(summary)
        assert "Phone: +989123456789" in text_of(summary)
        assert await _count_rows(desk) == (0, 0, 0)


async def test_cancel_button_and_slash_cancel_leave_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        summary = await _answer_up_to_the_summary(staff)
        _, (cancelled, said) = await staff.press("Cancel", under=summary, expect=2)
        assert "✓ Cancel" in text_of(cancelled)
        assert "Nothing was saved" in text_of(said)
        # The finished conversation's Confirm button is refused honestly and enrols nobody.
        answer, _ = await staff.press("Confirm", under=summary, expect=0)
        assert "no longer open" in str(answer.params["text"])

        await staff.send("/enrol")
        await staff.send("Reza Karimi")
        (said,) = await staff.send("/cancel")
        assert "Nothing was saved" in text_of(said)
        (help_text,) = await staff.send("Reza Karimi")  # no longer an answer to anything
        assert "Staff commands" in text_of(help_text)
        assert await _count_rows(desk) == (0, 0, 0)


async def test_a_button_of_an_earlier_enrolment_changes_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        old_summary = await _answer_up_to_the_summary(staff)
        (ask_name,) = await staff.send("/enrol")  # starts afresh, dropping the first draft
        assert "full name" in text_of(ask_name)
        answer, _ = await staff.press("Confirm", under=old_summary, expect=0)
        assert "earlier enrolment" in str(answer.params["text"])
        (ask_day,) = await staff.send("Reza Karimi")
        (ask_time,) = await staff.send("2026-12-20")
        answer, _ = await staff.press("Tue 8 Dec", under=ask_day, expect=0)
        assert "answered already" in str(answer.params["text"])
        assert "Sun 20 Dec 2026" in text_of(ask_time)
        (ask_area,) = await staff.send("15:00")  # still the time question: nothing moved
        ask_count = await staff.choose(ask_area, "Neck")
        ask_phone = await staff.choose(ask_count, "1")
        ask_language = await staff.choose(ask_phone, "Skip")
        summary = await staff.choose(ask_language, "English")
        assert "First session: Sun 20 Dec 2026 · 29 Azar 1405, 15:00" in text_of(summary)
        assert await _count_rows(desk) == (0, 0, 0)


async def test_edits_go_back_to_the_summary_and_a_start_that_passed_is_asked_again(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        summary = await _answer_up_to_the_summary(staff)
        choices = await staff.choose(summary, "Edit")
        ask_count = await staff.choose(choices, "Sessions")
        ask_every = await staff.choose(ask_count, "2")
        summary = await staff.choose(ask_every, "28")
        assert "Sessions: 2, every 28 days" in text_of(summary)

        choices = await staff.choose(summary, "Edit")
        ask_day = await staff.choose(choices, "Date")
        assert "Date of the first session" in text_of(ask_day)
        (summary,) = await staff.send("2026-12-06")  # today, and 14:00 is still ahead
        assert "First session: Sun 6 Dec 2026" in text_of(summary)  # back to the summary

        clock.advance(hours=5)  # 15:30 in Tehran: the 14:00 start has passed meanwhile
        _, (ask_time,) = await staff.press("Confirm", under=summary)
        assert "already passed" in text_of(ask_time)
        assert "Time on Sun 6 Dec 2026" in text_of(ask_time)
        (summary,) = await staff.send("18:30")
        assert "First session: Sun 6 Dec 2026 · 15 Azar 1405, 18:30" in text_of(summary)
        await staff.press("Confirm", under=summary, expect=3)
        booked = await desk.services.db.run(_all_appointments)
    assert [a.starts_at.isoformat() for a in booked] == [
        "2026-12-06T15:00:00+00:00",
        "2027-01-03T15:00:00+00:00",
    ]


async def test_the_timeout_drops_the_draft_and_says_so(tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        await staff.send("/enrol")
        (ask_day,) = await staff.send("Reza Karimi")
        conversation = next(h for h in desk.app.handlers[0] if isinstance(h, ConversationHandler))
        (timeout_job,) = conversation.timeout_jobs.values()
        await timeout_job.run(desk.app)  # what the JobQueue does when the time is up
        timeout_job.schedule_removal()
        said = staff.replies()[-1]  # run() returned once the timeout handler had answered
        assert "had no answer for 15 minutes" in text_of(said)
        assert "Nothing was saved" in text_of(said)
        answer, _ = await staff.press("Tue 8 Dec", under=ask_day, expect=0)
        assert "no longer open" in str(answer.params["text"])
        assert await _count_rows(desk) == (0, 0, 0)


async def test_strangers_cannot_start_or_drive_an_enrolment(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        summary = await _answer_up_to_the_summary(staff)
        stranger = desk.chat(STRANGER)
        (refused,) = await stranger.send("/enrol")
        assert "staff only" in text_of(refused)
        (answer_to_name,) = await stranger.send("Eve Intruder")
        assert "Staff commands" not in text_of(answer_to_name)
        # The staff member's own Confirm button, forged by a stranger in their own chat.
        answer, outputs = await stranger.press("Confirm", under=summary, expect=0)
        assert "staff only" in str(answer.params["text"])
        assert outputs == []
        assert await _count_rows(desk) == (0, 0, 0)
        # The staff member's conversation is untouched and still confirms.
        await staff.press("Confirm", under=summary, expect=3)
        assert await _count_rows(desk) == (1, 4, 1)


def _invites(conn: sqlite3.Connection) -> list[tuple[int, bool]]:
    """(patient, still usable) of every invite issued."""
    rows = conn.execute("SELECT patient_id, revoked_at IS NULL FROM invites ORDER BY id")
    return [(row[0], bool(row[1])) for row in rows]


async def test_a_returning_patient_gets_the_new_course_on_their_record(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Guided /enrol finds the record by phone and offers it: the course lands there, numbered
    as the second, with a fresh invite (her chat is not linked) and no second patient."""
    async with driving(tmp_path, clock) as desk:
        staff = desk.chat(ADMIN_ID)
        summary = await _answer_up_to_the_summary(staff)
        await staff.press("Confirm", under=summary, expect=3)

        await staff.send("/enrol")
        await staff.send("S. Ahmadi")  # another spelling: the phone finds her
        await staff.send("2027-06-01")
        (ask_area,) = await staff.send("10:00")
        ask_count = await staff.choose(ask_area, "Face")
        await staff.choose(ask_count, "1")  # one session: the phone is asked next
        (ask_language,) = await staff.send("+98 912 345 6789")
        summary = await staff.choose(ask_language, "English")
        _, (confirmed, question) = await staff.press("Confirm", under=summary, expect=2)
        assert "✓ Confirmed" in text_of(confirmed)
        assert "Sara Ahmadi (patient #1) is already on record" in text_of(question)
        assert await _count_rows(desk) == (1, 4, 1)  # nothing stored before the choice

        _, (taken, added, qr) = await staff.press("Add the course", under=question, expect=3)
        assert taken.method == "editMessageReplyMarkup"  # the choice's buttons go
        assert "New course added to patient #1: appointments #5 to #5" in text_of(added)
        assert "https://t.me/mesocare_test_bot?start=" in text_of(added)
        assert qr.method == "sendPhoto"
        booked = await desk.services.db.run(_all_appointments)
        invites = await desk.services.db.run(_invites)
        actions = await desk.services.db.run(audit.actions, "patient:1")
        assert await _count_rows(desk) == (1, 5, 2)
    assert [(a.patient_id, a.course) for a in booked] == [(1, 1)] * 4 + [(1, 2)]
    assert invites == [(1, False), (1, True)]  # the earlier link stops working
    assert actions == ["enrol", "add_course"]
