"""/forget and /export_patient through the real application, and the database's file modes."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db.connection import connect
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH
from tests.driver import ADMIN_ID, BlockingDriver, bot_env
from tests.factories import linked_patients

PATIENT_CHAT = 2002
NAME = "Patient 2002"  # as seeded
PHONE = "+98 912 345 6789"
STAFF_GROUP = -1001234
PROMPT = 2  # in the admin's chat, /forget is message 1 and the bot's question message 2
START_UNKNOWN = load_catalog(DEFAULT_MESSAGES_DIR).text(
    "en", "patient.start_unknown", clinic_name="Test Clinic", clinic_phone="+98 21 1234 5678"
)


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[BlockingDriver]:
    now = datetime.now(UTC)
    (patient_id,) = linked_patients(
        tmp_path / "mesocare.db",
        [PATIENT_CHAT],
        starts_at=now + timedelta(days=10),
        now=now - timedelta(days=1),
        protocol_path=DEFAULT_PROTOCOL_PATH,
    )
    assert patient_id == 1
    running = BlockingDriver(bot_env(tmp_path, STAFF_CHAT_ID=str(STAFF_GROUP)))
    with running.db() as conn:
        conn.execute("UPDATE patients SET phone = ? WHERE id = 1", (PHONE,))
        conn.execute("UPDATE appointments SET area = 'face'")
        conn.execute(
            "UPDATE care_messages SET answer = 'blood_thinner', answered_at = 1"
            " WHERE step = 'pre_care'"
        )
        conn.execute(
            "INSERT INTO alerts (kind, patient_id, dedupe_key, created_at, delivered_at)"
            " VALUES ('blood_thinner', 1, 'answer:1', 1, 1)"
        )
        # Asked for another time: the days that suit them are theirs.
        conn.execute(
            "INSERT INTO reschedule_requests (appointment_id, patient_id, message_id, for_start,"
            " asked_at) VALUES (1, 1, 1, 1, 1)"
        )
        conn.execute(
            "INSERT INTO reschedule_choices (request_id, day, part)"
            " VALUES (1, '2031-05-17', 'evening')"
        )
    with running:
        yield running


def _buttons(call_params: dict[str, object]) -> list[str]:
    markup = call_params["reply_markup"]
    assert isinstance(markup, dict)
    return [button["callback_data"] for row in markup["inline_keyboard"] for button in row]


def test_forget_asks_first_then_erases_and_keeps_an_anonymous_audit_row(
    bot: BlockingDriver,
) -> None:
    prompt = bot.say(ADMIN_ID, "/forget 1")
    assert NAME in prompt.params["text"] and "cannot be undone" in prompt.params["text"]
    erase, keep = _buttons(prompt.params)
    untouched = bot.dump()

    bot.press(ADMIN_ID, keep, message_id=PROMPT)
    bot.api.wait_for(lambda c: "Nothing was erased" in str(c.params.get("text")))
    assert bot.dump() == untouched

    bot.press(ADMIN_ID, erase, message_id=PROMPT)
    bot.api.wait_for(lambda c: "personal data is erased" in str(c.params.get("text")))
    with bot.db() as conn:
        patient = conn.execute(
            "SELECT full_name, name_key, phone, chat_id, status FROM patients WHERE id = 1"
        ).fetchone()
        states = {row[0] for row in conn.execute("SELECT state FROM care_messages")}
        audit = conn.execute("SELECT actor, action, subject, detail FROM audit").fetchall()
    assert tuple(patient) == ("erased", "", None, None, "erased")
    assert "pending" not in states and "cancelled" in states
    assert tuple(audit[-1])[:3] == (f"telegram:{ADMIN_ID}", "forget", "patient:1")
    dump = bot.dump()
    for trace in (NAME, "Patient", PHONE, "345 6789", "blood_thinner", "face", "2031-05-17"):
        assert trace not in dump, trace

    # Replayed: the same button again changes nothing and says so.
    erased = bot.dump()
    bot.press(ADMIN_ID, erase, message_id=PROMPT)
    bot.api.wait_for(lambda c: "already erased" in str(c.params.get("text")))
    assert bot.dump() == erased
    # The patient's Telegram account is a stranger now.
    assert bot.say(PATIENT_CHAT, "hello").params["text"] == START_UNKNOWN


def test_forget_of_an_unknown_patient_changes_nothing(bot: BlockingDriver) -> None:
    before = bot.dump()
    assert "no patient #99" in bot.say(ADMIN_ID, "/forget 99").params["text"]
    assert "/forget 12" in bot.say(ADMIN_ID, "/forget Sara").params["text"]
    assert bot.dump() == before


def test_export_sends_everything_stored_about_the_patient(bot: BlockingDriver) -> None:
    sent = bot.say(ADMIN_ID, "/export_patient 1")
    assert sent.method == "sendDocument"
    document = sent.params["document"]
    assert document.filename == "patient-1.json"
    record = json.loads(bytes(document).decode("utf-8"))
    assert record["patient"]["full_name"] == NAME
    assert record["patient"]["phone"] == PHONE
    assert record["patient"]["chat_id"] == PATIENT_CHAT
    assert [a["area"] for a in record["appointments"]] == ["face"]
    steps = {m["step"]: m for m in record["care_messages"]}
    assert steps["pre_care"]["state"] == "pending"
    assert steps["pre_care"]["answer"] == "blood_thinner"
    assert steps["pre_care"]["due_at"].endswith("+03:30")  # clinic time, readable
    (request,) = record["reschedule_requests"]
    assert request["choices"] == [{"day": "2031-05-17", "part": "evening"}]
    assert request["asked_at"].endswith("+03:30")
    with bot.db() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions[-1] == "export"


def test_export_is_refused_in_a_group(bot: BlockingDriver) -> None:
    reply = bot.say(ADMIN_ID, "/export_patient 1", chat_id=STAFF_GROUP, chat_type="supergroup")
    assert "private chat" in reply.params["text"]


def test_the_database_and_its_companions_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    old_umask = os.umask(0)  # the most careless setting an operator could have
    try:
        conn = connect(tmp_path / "data" / "mesocare.db")
        conn.execute("INSERT INTO audit (at, actor, action) VALUES (1, 'test', 'test')")
        files = [tmp_path / "data" / name for name in ("mesocare.db", "mesocare.db-wal")]
        files.append(tmp_path / "data" / "mesocare.db-shm")
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        conn.close()
    finally:
        os.umask(old_umask)
    assert modes == dict.fromkeys(modes, 0o600)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
