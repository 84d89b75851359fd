"""The morning sheet, through the real application with a fake clock: at opening time on a
working day the staff group gets today's appointments, the open alerts, the patients the bot
cannot reach and tomorrow's unopened invites, each with a card button; once a day, restarts
included; a bot that was down at opening sends it when it comes back that day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from care.core.clock import to_epoch
from care.core.models import AlertKind, PatientStatus
from care.db import alerts, patients
from tests.calls import callback_data, text_of
from tests.conftest import TEHRAN, FakeClock
from tests.driver import Driver, driving
from tests.fakes.bot_api import ApiCall, FakeBotApi

GROUP = -100500
SUNDAY = date(2026, 12, 6)
ENV = {"STAFF_CHAT_ID": str(GROUP), "MORNING_SHEET": "on"}


def tehran(day: date, at: str) -> datetime:
    hours, minutes = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TEHRAN).astimezone(UTC)


def is_sheet(call: ApiCall) -> bool:
    return (
        call.method == "sendMessage"
        and call.params.get("chat_id") == GROUP
        and "Good morning" in text_of(call)
    )


def sheets(api: FakeBotApi) -> list[ApiCall]:
    return [c for c in api.messages_to(GROUP) if is_sheet(c)]


async def settled_sheets(desk: Driver) -> list[ApiCall]:
    """The sheets sent once the bot is quiet (the sender's own timers may run beside a tick)."""
    await desk.settle()
    return sheets(desk.api)


async def nth_sheet(desk: Driver, n: int) -> ApiCall:
    return (await desk.expect(is_sheet, count=n))[-1]


async def test_the_sheet_lists_the_right_things_once_a_day(api: FakeBotApi, tmp_path: Path) -> None:
    clock = FakeClock(tehran(SUNDAY, "08:00"))
    async with driving(tmp_path, clock, api=api, env=ENV) as desk:
        sara = await desk.enrol("Sara Ahmadi", ahead=timedelta(hours=6))
        await desk.link(sara, 2001)
        nima = await desk.enrol("Nima Rad", ahead=timedelta(days=1, hours=3))
        reza = await desk.enrol("Reza Karimi", ahead=timedelta(days=9))
        await desk.link(reza, 2003)
        await desk.db(patients.set_status, reza.patient_id, PatientStatus.UNREACHABLE)
        await desk.db(
            alerts.raise_once,
            kind=AlertKind.STILL_SYMPTOMS,
            dedupe_key="test",
            now=to_epoch(clock.now()),
            patient_id=sara.patient_id,
        )
        await desk.tick()
        assert await settled_sheets(desk) == []  # 08:00: the clinic opens at 09:00

        clock.at = tehran(SUNDAY, "09:00")
        await desk.tick()
        sheet = await nth_sheet(desk, 1)
        text = text_of(sheet)
        assert "Today's appointments (1):" in text
        assert f"14:00 Sara Ahmadi (patient #{sara.patient_id}) · booked" in text
        assert "Open alerts (1):" in text
        assert f"#1 Sara Ahmadi (patient #{sara.patient_id}): still has symptoms" in text
        assert "after the session · nobody yet" in text
        assert "Patients the bot cannot reach (1):" in text
        assert f"Reza Karimi (patient #{reza.patient_id})" in text
        assert "Tomorrow's sessions whose invite is not opened (1):" in text
        assert "11:00 Nima Rad" in text
        assert callback_data(sheet) == [
            f"card:{sara.patient_id}",
            f"card:{nima.patient_id}",
            f"card:{reza.patient_id}",
        ]
        clock.at = tehran(SUNDAY, "09:05")
        await desk.tick()
        assert len(await settled_sheets(desk)) == 1

    clock.at = tehran(SUNDAY, "11:00")
    async with driving(tmp_path, clock, api=api, env=ENV) as desk:  # a restart the same day
        await desk.tick()
        assert len(await settled_sheets(desk)) == 1
        clock.at = tehran(SUNDAY + timedelta(days=1), "09:00")
        await desk.tick()
        await desk.tick()
        await nth_sheet(desk, 2)
        assert len(await settled_sheets(desk)) == 2


async def test_a_missed_morning_is_sent_when_the_bot_comes_back_that_day(
    api: FakeBotApi, tmp_path: Path
) -> None:
    friday = date(2026, 12, 11)
    clock = FakeClock(tehran(friday, "10:00"))
    async with driving(tmp_path, clock, api=api, env=ENV) as desk:
        await desk.tick()
        assert await settled_sheets(desk) == []  # Friday: closed
        clock.at = tehran(friday + timedelta(days=1), "16:40")  # Saturday, down since morning
        await desk.tick()
        sheet = await nth_sheet(desk, 1)
        assert "No appointments today." in text_of(sheet)
        assert "No open alerts." in text_of(sheet)
        assert callback_data(sheet) == []
        clock.at = tehran(friday + timedelta(days=2), "18:30")  # Sunday, after closing
        await desk.tick()
        assert len(await settled_sheets(desk)) == 1


async def test_off_means_no_sheet(api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> None:
    async with driving(tmp_path, clock, api=api, env={"STAFF_CHAT_ID": str(GROUP)}) as desk:
        await desk.tick()
        assert await settled_sheets(desk) == []
