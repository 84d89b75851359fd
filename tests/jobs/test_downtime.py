"""Back after days off: overdue messages go out in due order if still useful, the rest are
skipped with a reason, and the catch-up is paced under Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from care.schedule.protocol import DEFAULT_PROTOCOL_PATH
from tests.factories import linked_patients
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.schedule import opening
from tests.served import InProcessBot, app_env

PER_GROUP = 20
# Appointment start, relative to now, for three groups of patients (default protocol).
ENDED_4_DAYS_AGO = range(5000, 5000 + PER_GROUP)  # only check-in is still useful
ENDED_30_HOURS_AGO = range(6000, 6000 + PER_GROUP)  # only wash-ok is still useful
ENDED_AN_HOUR_AGO = range(7000, 7000 + PER_GROUP)  # only post-care is still useful
STARTS = {
    ENDED_4_DAYS_AGO: timedelta(days=4, hours=1),
    ENDED_30_HOURS_AGO: timedelta(hours=31),
    ENDED_AN_HOUR_AGO: timedelta(hours=2),
}


def _step(text: str) -> str:
    steps = ("pre_care", "day_of", "post_care", "wash_ok", "check_in")
    found = [step for step in steps if opening(f"steps.{step}") in text]
    assert len(found) == 1, text
    return found[0]


def test_after_days_off_the_useful_go_out_in_due_order_and_the_rest_are_skipped(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    enrolled = now - timedelta(days=8)  # the bot was off ever since
    for chats, ago in STARTS.items():
        linked_patients(
            tmp_path / "mesocare.db",
            chats,
            starts_at=now - ago,
            now=enrolled,
            protocol_path=DEFAULT_PROTOCOL_PATH,
        )
    with FakeBotApi(enforce_limits=True) as api:
        bot = InProcessBot(api, app_env(api, tmp_path))
        with bot:
            api.wait_for(lambda c: c.method == "sendMessage", count=3 * PER_GROUP, timeout=20)
            api.wait_until_idle(quiet=1.5)
        assert api.too_many_requests == 0
        sent = [c for c in api.calls("sendMessage") if c.status == 200]

    assert [_step(str(c.params["text"])) for c in sent] == (
        ["check_in"] * PER_GROUP + ["wash_ok"] * PER_GROUP + ["post_care"] * PER_GROUP
    )
    with bot.db() as conn:
        rows = conn.execute(
            "SELECT p.chat_id, m.step, m.state, m.reason FROM care_messages m"
            " JOIN patients p ON p.id = m.patient_id"
        ).fetchall()
        skip_events = conn.execute(
            "SELECT count(*) FROM message_events WHERE to_state = 'skipped'"
        ).fetchone()[0]
    state = {(chat, step): (st, reason) for chat, step, st, reason in rows}
    for chat in ENDED_AN_HOUR_AGO:
        assert state[chat, "pre_care"][0] == state[chat, "day_of"][0] == "skipped"
        assert "expired" in state[chat, "pre_care"][1]
        assert state[chat, "post_care"][0] == "sent"
        assert state[chat, "wash_ok"][0] == "pending"
    for chat in ENDED_30_HOURS_AGO:
        assert state[chat, "post_care"][0] == "skipped"
        assert state[chat, "wash_ok"][0] == "sent"
        assert state[chat, "check_in"][0] == "pending"
    for chat in ENDED_4_DAYS_AGO:
        assert state[chat, "wash_ok"][0] == "skipped"
        assert state[chat, "check_in"][0] == "sent"
    skipped = sum(1 for st, _ in state.values() if st == "skipped")
    assert skipped == skip_events == PER_GROUP * (2 + 3 + 4)
