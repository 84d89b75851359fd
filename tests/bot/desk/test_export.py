"""/export through the real application: a CSV document for the admin, nothing for others."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.desk.export import HEADER
from tests.calls import sent_to
from tests.conftest import FakeClock
from tests.driver import STAFF_ID, Driver, driving
from tests.fakes.bot_api import FakeBotApi

STAFF_GROUP = -100123
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
PRIVATE_ONLY = CATALOG.text("en", "export.private_only")


async def test_the_admin_gets_a_csv_with_bom_header_and_persian_names(desk: Driver) -> None:
    await desk.enrol("زهرا رضایی", phone="0912 555 0000", language="fa")
    await desk.enrol("Sara Ahmadi")
    desk.api.send_text(STAFF_ID, "/export")
    (sent,) = await desk.expect(sent_to(STAFF_ID, "care messages"))
    document = sent.params["document"]
    assert document.filename == "mesocare-export-20261206-1030.csv"
    content = bytes(document)
    assert content.startswith(b"\xef\xbb\xbf")
    header, *cells = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:3] == ["patient number", "name", "phone"]  # in the admin's language
    rows = [dict(zip(HEADER, row, strict=True)) for row in cells]
    zahra = [row for row in rows if row["patient_id"] == "1"]
    assert {row["patient_name"] for row in zahra} == {"زهرا رضایی"}
    assert {row["language"] for row in zahra} == {"fa"}
    assert len(zahra) == len({row["message_id"] for row in zahra}) >= 5
    assert zahra[0]["appointment_start"] == "2026-12-10T10:30+03:30"
    audited = await desk.db(
        lambda conn: conn.execute("SELECT actor, action FROM audit ORDER BY id DESC").fetchone()
    )
    assert tuple(audited) == (f"telegram:{STAFF_ID}", "export")


async def test_not_in_the_staff_group_even_for_the_admin(
    api: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    async with driving(tmp_path, clock, api=api, env={"STAFF_CHAT_ID": str(STAFF_GROUP)}) as desk:
        await desk.enrol("Sara Ahmadi")
        desk.api.send_text(STAFF_ID, "/export", chat_id=STAFF_GROUP, chat_type="supergroup")
        await desk.expect(sent_to(STAFF_GROUP, PRIVATE_ONLY))
        desk.api.send_text(STAFF_ID, "/patient sara", chat_id=STAFF_GROUP, chat_type="supergroup")
        await desk.expect(sent_to(STAFF_GROUP, "Sara Ahmadi (patient #1)"))
        assert not desk.api.calls("sendDocument")


async def test_a_persian_admin_reads_the_column_titles_in_persian(desk: Driver) -> None:
    await desk.enrol("Sara Ahmadi")
    desk.api.send_text(STAFF_ID, "/export", language_code="fa")
    (sent,) = await desk.expect(sent_to(STAFF_ID, "CSV"))
    rows = list(csv.reader(io.StringIO(bytes(sent.params["document"]).decode("utf-8-sig"))))
    assert rows[0][:3] == ["شمارهٔ بیمار", "نام", "تلفن"]
    assert rows[1][HEADER.index("telegram_linked")] == "خیر"
    assert rows[1][HEADER.index("message_state")] == "pending"  # cells keep the codes
