"""Merging two records of one person from the card, through the real application: an admin
searches, picks, reads both records' summary and confirms; everything moves to the record
kept and the other is gone, audited. Staff who are not admins, forged and stale buttons,
a record merged into itself and a record merged already change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from care.db import staff
from tests.bot.desk.test_day_in_persian import fa, latin_words, plain
from tests.calls import buttons, text_of
from tests.conftest import FakeClock
from tests.driver import ADMIN_ID, Driver, driving

SARA_CHAT = 2002
SECOND_CHAT = 2003
RECEPTION = 5005  # staff, not an admin
MERGE_BUTTON = "🔗 Merge with another record…"


def _owners(conn: sqlite3.Connection) -> dict[str, set[int]]:
    """Which patient ids own rows in each table a merge moves."""
    tables = ("appointments", "care_messages", "invites", "alerts", "relayed", "patient_chats")
    return {
        table: {row[0] for row in conn.execute(f"SELECT DISTINCT patient_id FROM {table}")}
        for table in tables
    }


def _patients(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM patients ORDER BY id")]


def _merge_audit(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT actor, subject, detail FROM audit WHERE action = 'merge_patient' ORDER BY id"
    )
    return [(str(a), str(s), str(d)) for a, s, d in rows]


async def _two_records(desk: Driver) -> tuple[int, int]:
    sara = await desk.enrol("Sara Ahmadi", phone="+98 912 123 4567", sessions=2)
    await desk.link(sara, SARA_CHAT)
    again = await desk.enrol("Sara Ahmadi-Rad")
    await desk.link(again, SECOND_CHAT)
    return sara.patient_id, again.patient_id


async def test_an_admin_merges_a_second_record_into_the_first(desk: Driver) -> None:
    kept, other = await _two_records(desk)
    admin = desk.chat(ADMIN_ID)
    (card,) = await admin.send(f"/patient {kept}")
    assert MERGE_BUTTON in buttons(card)

    pressed = await admin.press(MERGE_BUTTON, under=card)
    assert "Which record of the same person should be merged into" in text_of(pressed.outputs[0])
    (listing,) = await admin.send("sara")
    assert "Records that match “sara”" in text_of(listing)
    assert list(buttons(listing)) == [f"#{other} Sara Ahmadi-Rad", "« Back"]  # never itself

    pressed = await admin.press(f"#{other} Sara Ahmadi-Rad", under=listing)
    question = pressed.outputs[0]
    text = text_of(question)
    assert f"Merge patient #{other} into patient #{kept}?" in text
    assert f"Kept: Sara Ahmadi (patient #{kept}): 2 session(s) in 1 course(s)" in text
    assert "phone +98 912 123 4567" in text
    assert f"then gone: Sara Ahmadi-Rad (patient #{other}): 1 session(s)" in text
    assert "no phone" in text
    assert f"Both have a Telegram chat: patient #{kept}'s is kept" in text
    assert await desk.db(_patients) == [kept, other]  # asking changed nothing

    pressed = await admin.press(f"✅ Merge #{other} into #{kept}", under=question)
    done = text_of(pressed.outputs[0])
    assert done.startswith(f"✅ Patient #{other} is merged into this record.")
    assert f"Sara Ahmadi (patient #{kept})" in done
    assert await desk.db(_patients) == [kept]
    owners = await desk.db(_owners)
    assert all(found <= {kept} for found in owners.values()), owners
    assert await desk.db(_merge_audit) == [
        (f"telegram:{ADMIN_ID}", f"patient:{other}", f"into patient:{kept}"),
        (
            f"telegram:{ADMIN_ID}",
            f"patient:{kept}",
            f"from patient:{other}; chats kept: telegram of patient:{kept}",
        ),
    ]

    # The same confirmation again: merged already, and nothing changes.
    before = desk.dump()
    again = await admin.press(f"mg:ok:{kept}:{other}", under=question)
    assert (
        f"Patient #{other} was already merged into patient #{kept}; nothing changed."
        in again.answer_text
    )
    assert desk.dump() == before


async def test_staff_who_are_not_admins_get_no_merge_and_cannot_force_one(desk: Driver) -> None:
    kept, other = await _two_records(desk)
    await desk.db(staff.add, user_id=RECEPTION, display_name="Mina", added_by="test", now=0)
    reception = desk.chat(RECEPTION)
    (card,) = await reception.send(f"/patient {kept}")
    assert MERGE_BUTTON not in buttons(card)
    before = desk.dump()
    for forged in (f"mg:pick:{kept}", f"mg:ask:{kept}:{other}", f"mg:ok:{kept}:{other}"):
        pressed = await reception.press(forged, under=card, expect=0)
        assert pressed.answer_text == "Sorry, only the clinic's admin can do this."
    assert desk.dump() == before


async def test_forged_buttons_and_a_record_merged_into_itself_change_nothing(
    desk: Driver,
) -> None:
    kept, _other = await _two_records(desk)
    admin = desk.chat(ADMIN_ID)
    (card,) = await admin.send(f"/patient {kept}")
    before = desk.dump()
    answers = {
        f"mg:ok:{kept}:{kept}": "A record cannot be merged into itself; nothing changed.",
        f"mg:ask:{kept}:{kept}": "A record cannot be merged into itself; nothing changed.",
        f"mg:ok:{kept}:999": "There is no patient #999; nothing changed.",
        "mg:ok:1:x": "This button is no longer valid; nothing was changed.",
        "mg:pick:999": "There is no patient #999; nothing changed.",
    }
    for forged, answer in answers.items():
        pressed = await admin.press(forged, under=card, expect=0)
        assert pressed.answer_text == answer, forged
    assert desk.dump() == before


async def test_a_search_that_finds_no_other_record_asks_again(desk: Driver) -> None:
    kept, other = await _two_records(desk)
    admin = desk.chat(ADMIN_ID)
    (card,) = await admin.send(f"/patient {kept}")
    await admin.press(MERGE_BUTTON, under=card)
    (nothing,) = await admin.send(f"#{kept}")  # only the record itself matches
    assert "No other record matches" in text_of(nothing)
    (listing,) = await admin.send(str(other))  # by its number
    assert list(buttons(listing)) == [f"#{other} Sara Ahmadi-Rad", "« Back"]
    # Once the list is shown, the search is over: the next text is no search.
    before = len(admin.replies())
    await admin.send("sara", expect=0)
    assert not [r for r in admin.replies()[before:] if "Records that match" in text_of(r)]
    assert await desk.db(_patients) == [kept, other]


async def test_the_whole_merge_in_persian_without_an_english_word(
    tmp_path: Path, clock: FakeClock
) -> None:
    env = {"DEFAULT_LANGUAGE": "fa", "CLINIC_NAME": "کلینیک آزمون"}
    async with driving(tmp_path, clock, env=env) as desk:
        sara = await desk.enrol("سارا احمدی", phone="0912 123 4567", language="fa")
        await desk.link(sara, SARA_CHAT)
        again = await desk.enrol("سارا احمدی راد", language="fa")
        await desk.link(again, SECOND_CHAT)
        admin = desk.chat(ADMIN_ID, first_name="مریم", language_code="fa")
        (card,) = await admin.send(f"/patient {sara.patient_id}")
        pick = await admin.press(fa("merge.card_button"), under=card)
        (listing,) = await admin.send("سارا راد")
        chosen = await admin.press(f"mg:ask:{sara.patient_id}:{again.patient_id}", under=listing)
        question = chosen.outputs[0]
        asked = plain(text_of(question))
        assert "می‌ماند: سارا احمدی (بیمار شمارهٔ ۱): ۱ جلسه در ۱ دوره؛ تلفن 0912 123 4567" in asked
        assert "هر دو در تلگرام گفتگو دارند: گفتگوی بیمار شمارهٔ ۱ می‌ماند" in asked
        done = await admin.press(f"mg:ok:{sara.patient_id}:{again.patient_id}", under=question)
        replies = [card, *pick.outputs, listing, question, *done.outputs]
        assert {word for reply in replies for word in latin_words(reply)} == set()
        assert plain(text_of(done.outputs[0])).startswith(
            "✅ بیمار شمارهٔ ۲ در این پرونده ادغام شد."
        )
