"""The card's actions, pressed and typed as staff would, through the real application: each is
asked, confirmed, carried out (or refused with nothing changed) and the patient told."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.clock import to_epoch
from care.people.enrolment import Enrolment
from tests.calls import bot_message_id, callback_data, edit_in, sent_to
from tests.conftest import TEHRAN
from tests.driver import STAFF_ID, Driver
from tests.fakes.bot_api import ApiCall

PATIENT = 2002
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)


def _opening(lang: str, key: str) -> str:
    """A stretch of a catalog text that no placeholder interrupts."""
    marker = "§"
    blank = CATALOG.text(lang, key, **dict.fromkeys(CATALOG.placeholders(lang, key), marker))
    return max(blank.split(marker), key=len).strip()[:30]


async def _press(desk: Driver, data: str, on: str) -> float:
    """Press the button `data` under the bot's latest message containing `on`."""
    started = time.monotonic()
    desk.api.press_button(STAFF_ID, data, message_id=bot_message_id(desk.api, STAFF_ID, on))
    return started


async def _say(desk: Driver, text: str) -> float:
    started = time.monotonic()
    desk.api.send_text(STAFF_ID, text)
    return started


async def _edited(desk: Driver, needle: str, after: float) -> ApiCall:
    (call,) = await desk.expect(edit_in(STAFF_ID, needle, after=after))
    return call


async def _open_card(desk: Driver, patient_id: int) -> ApiCall:
    started = await _say(desk, f"/patient {patient_id}")
    (card,) = await desk.expect(sent_to(STAFF_ID, f"(patient #{patient_id})", after=started))
    return card


def _due_times(conn: sqlite3.Connection, appointment_id: int) -> dict[str, tuple[str, int]]:
    rows = conn.execute(
        "SELECT step, state, due_at FROM care_messages WHERE appointment_id = ? ORDER BY id",
        (appointment_id,),
    ).fetchall()
    return {f"{row[0]}#{index}": (row[1], row[2]) for index, row in enumerate(rows)}


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TEHRAN)


async def _sara(desk: Driver, *, sessions: int = 1) -> Enrolment:
    sara = await desk.enrol("Sara Ahmadi", sessions=sessions)
    await desk.link(sara, PATIENT)
    return sara


async def test_reschedule_from_the_card_moves_pending_messages_and_tells_the_patient(
    desk: Driver,
) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    before = await desk.db(_due_times, appointment)
    card = await _open_card(desk, sara.patient_id)
    assert f"ap:1:{appointment}" in callback_data(card)

    started = await _press(desk, f"ap:1:{appointment}", "Sara Ahmadi")
    menu = await _edited(desk, "What should be done with this session?", started)
    assert callback_data(menu) == [
        f"ask:rs:1:{appointment}",
        f"ask:cx:1:{appointment}",
        f"ask:dn:1:{appointment}",
        f"ask:ns:1:{appointment}",
        "cv:1",
    ]
    started = await _press(desk, f"ask:rs:1:{appointment}", "What should be done")
    await _edited(desk, "New date and time for appointment", started)
    started = await _say(desk, "۱۴۰۵-۰۹-۲۳ 15:00")  # Solar Hijri, Persian digits
    (question,) = await desk.expect(sent_to(STAFF_ID, "Move appointment", after=started))
    new_start = _local("2026-12-14 15:00")
    assert "to Mon 14 Dec 2026 · 23 Azar 1405, 15:00?" in str(question.params["text"])
    assert callback_data(question) == [f"ok:rs:1:{appointment}:{to_epoch(new_start)}", "cv:1"]
    assert await desk.db(_due_times, appointment) == before  # asking changes nothing

    started = await _press(desk, callback_data(question)[0], "Move appointment")
    done = await _edited(desk, "moved to 2026-12-14 15:00", started)
    assert "The patient was told." in str(done.params["text"])
    (notice,) = await desk.expect(sent_to(PATIENT, _opening("en", "patient.rescheduled")))
    assert "Mon 14 Dec 2026 at 15:00" in str(notice.params["text"])

    after = await desk.db(_due_times, appointment)
    assert {key: state for key, (state, _) in after.items() if key in before} == {
        key: "cancelled" for key in before
    }
    fresh = {key.split("#")[0]: due for key, (state, due) in after.items() if state == "pending"}
    assert fresh["pre_care"] == to_epoch(new_start - timedelta(hours=26))
    assert fresh["post_care"] == to_epoch(new_start + timedelta(hours=1))
    old_pre_care = next(due for key, (_, due) in before.items() if key.startswith("pre_care"))
    assert fresh["pre_care"] - old_pre_care == to_epoch(new_start) - to_epoch(
        _local("2026-12-10 10:30")
    )


async def test_reschedule_into_the_past_is_refused_and_changes_nothing(desk: Driver) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    before = desk.dump()
    started = await _say(desk, f"/reschedule {appointment} 2026-12-01 10:00")
    await desk.expect(sent_to(STAFF_ID, "has already passed", after=started))
    # A confirmation made earlier for a time that has passed since then.
    card = await _open_card(desk, sara.patient_id)
    assert card is not None
    stale = f"ok:rs:1:{appointment}:{to_epoch(desk.clock.now() - timedelta(minutes=5))}"
    started = await _press(desk, stale, "Sara Ahmadi")
    refused = await _edited(desk, "has already passed", started)
    assert "Nothing was changed." in str(refused.params["text"])
    await desk.settle()
    assert desk.dump() == before
    assert not [c for c in desk.api.messages_to(PATIENT) if "changed" in str(c.params["text"])]


async def test_a_typed_time_that_cannot_be_read_is_asked_again(desk: Driver) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    await _open_card(desk, sara.patient_id)
    started = await _press(desk, f"ask:rs:1:{appointment}", "Sara Ahmadi")
    await _edited(desk, "New date and time", started)
    started = await _say(desk, "15:00")
    await desk.expect(sent_to(STAFF_ID, "Type the date, a space, then the time", after=started))
    started = await _say(desk, "tomorrow afternoon")
    await desk.expect(sent_to(STAFF_ID, '"tomorrow" is not a date I can read', after=started))
    started = await _say(desk, "2026-02-30 10:00")
    await desk.expect(sent_to(STAFF_ID, "February 2026 has 28 days", after=started))
    started = await _say(desk, "2026-12-15 09:00")
    await desk.expect(sent_to(STAFF_ID, "Move appointment", after=started))


async def test_cancel_cancels_pending_messages_and_tells_the_patient(desk: Driver) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    started = await _say(desk, f"/cancel_appt {appointment}")
    (question,) = await desk.expect(sent_to(STAFF_ID, "Cancel appointment", after=started))
    assert callback_data(question) == [f"ok:cx:1:{appointment}", "cv:1"]
    started = await _press(desk, f"ok:cx:1:{appointment}", "Cancel appointment")
    await _edited(desk, f"Appointment #{appointment} cancelled. The patient was told.", started)
    (notice,) = await desk.expect(sent_to(PATIENT, "is cancelled"))
    assert "Thu 10 Dec 2026 at 10:30" in str(notice.params["text"])
    states = await desk.db(
        lambda conn: {row[0] for row in conn.execute("SELECT state FROM care_messages").fetchall()}
    )
    assert states == {"cancelled"}


async def test_done_twice_is_refused_the_second_time(desk: Driver) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    await _open_card(desk, sara.patient_id)
    started = await _press(desk, f"ask:dn:1:{appointment}", "Sara Ahmadi")
    await _edited(desk, "done now?", started)
    started = await _press(desk, f"ok:dn:1:{appointment}", "done now?")
    await _edited(desk, "is done; the after-care message is on its way", started)
    await desk.expect(sent_to(PATIENT, _opening("en", "steps.post_care")))
    await desk.settle()
    before = desk.dump()
    started = await _press(desk, f"ok:dn:1:{appointment}", "after-care message is on its way")
    await _edited(
        desk, f"Appointment #{appointment} is already done. Nothing was changed.", started
    )
    await desk.settle()
    assert desk.dump() == before


async def test_no_show_after_the_start_cancels_pending_messages(desk: Driver) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    started = await _say(desk, f"/noshow {appointment}")
    await desk.expect(sent_to(STAFF_ID, "has not started yet", after=started))
    desk.clock.advance(days=4, minutes=15)
    started = await _say(desk, f"/noshow {appointment}")
    await desk.expect(sent_to(STAFF_ID, "as a no-show?", after=started))
    started = await _press(desk, f"ok:ns:1:{appointment}", "as a no-show?")
    await _edited(desk, "marked as a no-show", started)
    rows = await desk.db(
        lambda conn: conn.execute(
            "SELECT (SELECT status FROM appointments), group_concat(step) FROM care_messages"
            " WHERE state = 'pending'"
        ).fetchone()
    )
    # Only the nudge to book again is left (tests/bot/test_no_show_follow_up.py).
    assert tuple(rows) == ("no_show", "no_show_follow_up")


async def test_an_added_session_takes_over_the_follow_up(desk: Driver) -> None:
    sara = await _sara(desk, sessions=2)
    last = sara.appointment_ids[-1]
    await _open_card(desk, sara.patient_id)
    started = await _press(desk, "ask:add:1:0", "Sara Ahmadi")
    await _edited(desk, "Date and time of the new session", started)
    started = await _say(desk, "2027-01-07 11:00")
    (question,) = await desk.expect(sent_to(STAFF_ID, "Add a session", after=started))
    started = await _press(desk, callback_data(question)[0], "Add a session")
    await _edited(desk, "Session added: appointment #3, 2027-01-07 11:00 (session 3 of 3)", started)

    def follow_ups(conn: sqlite3.Connection) -> list[tuple[int, str, int]]:
        return [
            (row[0], row[1], row[2])
            for row in conn.execute(
                "SELECT appointment_id, state, due_at FROM care_messages"
                " WHERE step = 'follow_up' ORDER BY id"
            )
        ]

    old, new = await desk.db(follow_ups)
    assert old[:2] == (last, "cancelled")
    assert new[:2] == (3, "pending")
    follow_up = datetime.fromtimestamp(new[2], TEHRAN)
    assert f"{follow_up:%Y-%m-%d %H:%M}" == "2027-07-07 10:00"
    counts = await desk.db(
        lambda conn: conn.execute(
            "SELECT session_number, session_count FROM appointments ORDER BY starts_at"
        ).fetchall()
    )
    assert [tuple(row) for row in counts] == [(1, 3), (2, 3), (3, 3)]


async def test_a_language_change_makes_the_next_care_message_arrive_in_that_language(
    desk: Driver,
) -> None:
    sara = await _sara(desk)
    card = await _open_card(desk, sara.patient_id)
    assert "ask:lang:1:0:fa" in callback_data(card)
    started = await _press(desk, "ask:lang:1:0:fa", "Sara Ahmadi")
    await _edited(desk, "from English to Persian?", started)
    started = await _press(desk, "ok:lang:1:0:fa", "from English to Persian?")
    await _edited(desk, "Language changed to Persian. The patient was told.", started)
    await desk.expect(sent_to(PATIENT, CATALOG.text("fa", "patient.language_set")))

    await desk.settle()
    desk.clock.advance(days=2, hours=23)  # pre-care is due
    await desk.tick()
    (pre_care,) = await desk.expect(sent_to(PATIENT, _opening("fa", "steps.pre_care")))
    assert _opening("en", "steps.pre_care") not in str(pre_care.params["text"])


async def test_paused_patients_get_nothing_until_resumed(desk: Driver) -> None:
    sara = await _sara(desk)
    await _open_card(desk, sara.patient_id)
    started = await _press(desk, "ask:pause:1:0", "Sara Ahmadi")
    await _edited(desk, "Pause all care messages", started)
    started = await _press(desk, "ok:pause:1:0", "Pause all care messages")
    paused = await _edited(desk, "Care messages paused.", started)
    assert "messages paused" in str(paused.params["text"])
    assert "ask:resume:1:0" in callback_data(paused)

    await desk.settle()
    desk.clock.advance(days=2, hours=23)
    await desk.tick()
    assert not desk.api.messages_to(PATIENT)[1:]  # the welcome only

    started = await _press(desk, "ok:resume:1:0", "Care messages paused.")
    await _edited(desk, "Care messages resumed.", started)
    await desk.expect(sent_to(PATIENT, _opening("en", "steps.pre_care")))


async def test_the_action_menu_of_a_session_no_longer_booked_shows_the_card(
    desk: Driver,
) -> None:
    sara = await _sara(desk)
    (appointment,) = sara.appointment_ids
    await _open_card(desk, sara.patient_id)
    started = await _press(desk, f"ok:cx:1:{appointment}", "Sara Ahmadi")
    await _edited(desk, "cancelled", started)
    started = await _press(desk, f"ap:1:{appointment}", "Sara Ahmadi")
    await _edited(desk, f"Appointment #{appointment} is no longer booked.", started)
