"""Every alert has an owner, through the real application: two staff tap "I'll handle it" and
one gets it; "Done" closes it with a note for the card; /alerts lists the open ones; an urgent
alert nobody takes reaches the admins after fifteen minutes of working time (fake clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.db import alerts, staff
from tests.calls import buttons, edit_in, message_id, sent_to, text_of
from tests.conftest import TEHRAN, FakeClock
from tests.driver import ADMIN_ID, Driver, driving
from tests.fakes.bot_api import ApiCall, FakeBotApi

GROUP = -100500
RECEPTION = 5005


@pytest.fixture
async def clinic(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Driver]:
    async with driving(tmp_path, clock, api=api, env={"STAFF_CHAT_ID": str(GROUP)}) as running:
        await running.db(staff.add, user_id=RECEPTION, display_name="Mina", added_by="test", now=0)
        # Each says who they are once, in a private chat (their names on the buttons' edits).
        running.api.send_text(ADMIN_ID, "/alerts", first_name="Arash")
        running.api.send_text(RECEPTION, "/alerts", first_name="Mina")
        await running.expect(sent_to(RECEPTION, "No open alerts"))
        yield running


async def raise_alert(desk: Driver, kind: AlertKind, *, urgent: bool) -> tuple[int, ApiCall]:
    """An alert about a new patient, raised now and posted to the group by the next tick."""
    enrolment = await desk.enrol(f"Sara {kind.value}")

    def store(conn: object) -> int | None:
        return alerts.raise_once(
            conn,  # type: ignore[arg-type]
            kind=kind,
            dedupe_key=f"test:{kind}:{enrolment.patient_id}",
            now=to_epoch(desk.clock.now()),
            patient_id=enrolment.patient_id,
            urgent=urgent,
        )

    alert_id = await desk.db(store)
    assert alert_id is not None
    await desk.tick()
    (posted,) = await desk.expect(
        lambda call: (
            call.method == "sendMessage"
            and call.params.get("chat_id") == GROUP
            and f"own:take:{alert_id}" in str(call.params)
        )
    )
    return alert_id, posted


async def test_two_staff_tap_and_one_gets_it(clinic: Driver) -> None:
    alert_id, post = await raise_alert(clinic, AlertKind.STILL_SYMPTOMS, urgent=False)
    assert list(buttons(post)) == ["🙋 I'll handle it", "Open patient card"]
    data = f"own:take:{alert_id}"
    clinic.api.press_button(RECEPTION, data, message_id=message_id(post), chat_id=GROUP)
    clinic.api.press_button(ADMIN_ID, data, message_id=message_id(post), chat_id=GROUP)
    answers = await clinic.expect(lambda c: c.method == "answerCallbackQuery", count=2)
    (taken,) = await clinic.expect(edit_in(GROUP, "is handling it"))
    assert "Mina is handling it (since 10:30)" in text_of(taken)
    assert "still has symptoms" in text_of(taken)
    assert list(buttons(taken)) == ["✅ Done", "Open patient card"]
    assert "Mina is already handling it" in str(answers[-1].params.get("text"))
    owner = await clinic.db(
        lambda conn: conn.execute(
            "SELECT owner_id FROM alerts WHERE id = ?", (alert_id,)
        ).fetchone()
    )
    assert owner[0] == RECEPTION

    # Only the owner closes it; then a reply to the alert is the owner's note for the card.
    done = f"own:done:{alert_id}"
    clinic.api.press_button(ADMIN_ID, "own:done:99999", message_id=message_id(post), chat_id=GROUP)
    clinic.api.press_button(RECEPTION, done, message_id=message_id(post), chat_id=GROUP)
    (closed,) = await clinic.expect(edit_in(GROUP, "Done: Mina"))
    assert list(buttons(closed)) == ["Open patient card"]
    clinic.api.send_text(
        RECEPTION,
        "Called her: a bruise, fine.",
        chat_id=GROUP,
        chat_type="supergroup",
        reply_to=message_id(post),
    )
    await clinic.expect(sent_to(GROUP, "Note added"))
    row = await clinic.db(
        lambda conn: tuple(
            conn.execute("SELECT closed_at, note FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        )
    )
    assert row[0] is not None and row[1] == "Called her: a bruise, fine."
    # The note shows on the patient's card.
    clinic.api.send_text(RECEPTION, "/patient Sara", first_name="Mina")
    (card,) = await clinic.expect(sent_to(RECEPTION, "📝"))
    assert "Mina: Called her: a bruise, fine." in text_of(card)


async def test_alerts_lists_the_open_ones_oldest_first(clinic: Driver) -> None:
    first, _ = await raise_alert(clinic, AlertKind.BOOK_ME, urgent=False)
    clinic.clock.advance(minutes=5)
    second, post = await raise_alert(clinic, AlertKind.ANOTHER_TIME, urgent=False)
    clinic.clock.advance(minutes=5)
    third, _ = await raise_alert(clinic, AlertKind.PAUSED, urgent=False)
    clinic.api.press_button(
        ADMIN_ID, f"own:take:{second}", message_id=message_id(post), chat_id=GROUP
    )
    await clinic.expect(edit_in(GROUP, "is handling it"))
    clinic.api.send_text(ADMIN_ID, "/alerts", first_name="Arash")
    (listing,) = await clinic.expect(sent_to(ADMIN_ID, "Open alerts, oldest first (3)"))
    lines = text_of(listing).splitlines()[1:]
    assert [line.split(" ·")[0] for line in lines] == [f"#{first}", f"#{second}", f"#{third}"]
    assert "Arash" in lines[1] and "nobody yet" in lines[0]


def tehran(day: date, at: str) -> datetime:
    hours, minutes = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TEHRAN).astimezone(UTC)


def is_escalation(call: ApiCall) -> bool:
    return (
        call.method == "sendMessage"
        and call.params.get("chat_id") == ADMIN_ID
        and "Nobody has taken" in text_of(call)
    )


async def escalations(desk: Driver) -> list[ApiCall]:
    """Once the bot is quiet: the sender's own timers may run beside a tick."""
    await desk.settle()
    return [c for c in desk.api.calls() if is_escalation(c)]


@pytest.mark.parametrize(
    ("raised", "not_yet", "due"),
    [
        # Wednesday 17:55: five minutes that day, ten on Thursday morning.
        (
            (date(2026, 12, 9), "17:55"),
            (date(2026, 12, 10), "09:09"),
            (date(2026, 12, 10), "09:10"),
        ),
        # Thursday 17:55: Friday is closed.
        (
            (date(2026, 12, 10), "17:55"),
            (date(2026, 12, 12), "09:09"),
            (date(2026, 12, 12), "09:10"),
        ),
        # The eve of a holiday (Wednesday 23 December 2026, Imam Ali's birthday).
        (
            (date(2026, 12, 22), "17:55"),
            (date(2026, 12, 24), "09:09"),
            (date(2026, 12, 24), "09:10"),
        ),
    ],
)
async def test_an_urgent_alert_left_alone_goes_to_the_admins(
    clinic: Driver,
    raised: tuple[date, str],
    not_yet: tuple[date, str],
    due: tuple[date, str],
) -> None:
    clinic.clock.at = tehran(*raised)
    alert_id, _ = await raise_alert(clinic, AlertKind.SOMETHING_WRONG, urgent=True)
    clinic.clock.at = tehran(raised[0], "18:30")
    await clinic.tick()
    clinic.clock.at = tehran(*not_yet)
    await clinic.tick()
    assert await escalations(clinic) == []
    clinic.clock.at = tehran(*due)
    await clinic.tick()
    (sent,) = await clinic.expect(is_escalation)
    assert "something looks wrong" in text_of(sent)
    assert f"own:take:{alert_id}" in str(sent.params["reply_markup"])
    clinic.clock.advance(hours=1)
    await clinic.tick()
    assert len(await escalations(clinic)) == 1  # once


async def test_a_taken_or_ordinary_alert_is_not_escalated(clinic: Driver) -> None:
    clinic.clock.at = tehran(date(2026, 12, 9), "10:00")
    urgent, post = await raise_alert(clinic, AlertKind.SOMETHING_WRONG, urgent=True)
    await raise_alert(clinic, AlertKind.BOOK_ME, urgent=False)
    clinic.api.press_button(
        ADMIN_ID, f"own:take:{urgent}", message_id=message_id(post), chat_id=GROUP
    )
    await clinic.expect(edit_in(GROUP, "is handling it"))
    clinic.clock.advance(hours=2)
    await clinic.tick()
    assert await escalations(clinic) == []
