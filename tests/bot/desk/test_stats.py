"""/stats through the real application: an admin reading two generated months finds, in the
chart, the text and the CSV, the numbers they would count by hand; nobody else gets them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.models import AlertKind
from care.core.problems import MonthName
from care.desk.stats import GREGORIAN, JALALI, month_span
from tests.activity import Month, month_of_activity
from tests.calls import text_of
from tests.conftest import TEHRAN, FakeClock
from tests.driver import ADMIN_ID, Driver, driving
from tests.fakes.bot_api import ApiCall

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
PNG = b"\x89PNG\r\n\x1a\n"
ABAN_1405 = MonthName(JALALI, 1405, 8)
AZAR_1405 = MonthName(JALALI, 1405, 9)


async def _two_months(bot: Driver, last: MonthName, this: MonthName) -> tuple[Month, Month]:
    made = []
    for month, sessions in ((last, 3), (this, 6)):
        start, _ = month_span(month, TEHRAN)
        made.append(await bot.db(month_of_activity, bot.services.plan, start, sessions=sessions))
    return made[0], made[1]


def _table(document: ApiCall) -> list[list[str]]:
    content = bytes(document.params["document"])
    assert content.startswith(b"\xef\xbb\xbf")  # spreadsheet programs read it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_persian_admin_reads_aban_and_azar_as_picture_text_and_table(
    tmp_path: Path, clock: FakeClock
) -> None:
    clock.at = datetime(2026, 12, 21, 12, 0, tzinfo=UTC)  # 30 Azar 1405, 15:30 in Tehran
    async with driving(tmp_path, clock) as bot:
        aban, azar = await _two_months(bot, ABAN_1405, AZAR_1405)
        admin = bot.chat(ADMIN_ID, language_code="fa")
        photo, text, document = await admin.send("/stats", expect=3)

    assert photo.method == "sendPhoto"
    assert bytes(photo.params["photo"]).startswith(PNG)
    assert "آبان ۱۴۰۵" in text_of(photo) and "آذر ۱۴۰۵" in text_of(photo)

    shown = text_of(text).translate(_NO_MARKS)
    assert text.method == "sendMessage"
    aban_block, azar_block, _how = shown.split("\n\n")
    assert "آبان ۱۴۰۵" in aban_block and "آذر ۱۴۰۵، تا امروز" in azar_block
    assert f"جلسه‌های انجام‌شده: {_fa(azar.sessions_done)} · نیامده: {_fa(azar.no_shows)}" in (
        azar_block
    )
    assert f"جلسه‌های انجام‌شده: {_fa(aban.sessions_done)} · نیامده: ۰" in aban_block
    assert "میانهٔ زمان تا پذیرفتن: ۱۰ دقیقه" in azar_block
    assert "داروی رقیق‌کنندهٔ خون: ۲ · میانهٔ زمان تا پذیرفتن: ۱۳ دقیقه" in azar_block
    assert "پیامی نرسید: ۱ · هنوز پذیرفته نشده" in azar_block
    assert "رضایت: ۳ پاسخ · میانگین ۳٫۷ از ۵ · با نظر: ۱" in azar_block

    assert document.method == "sendDocument"
    assert document.params["document"].filename == "mesocare-stats-20261221.csv"
    header, aban_row, azar_row = _table(document)
    assert header[:4] == ["ماه", "روز اول", "جلسه‌های انجام‌شده", "نیامده"]
    assert "هشدار: داروی رقیق‌کنندهٔ خون" in header
    assert all("\u2068" not in title and "\u2069" not in title for title in header)
    table = {row[0]: dict(zip(header, row, strict=True)) for row in (aban_row, azar_row)}
    assert list(table) == ["آبان ۱۴۰۵", "آذر ۱۴۰۵"]
    for month, made in (("آبان ۱۴۰۵", aban), ("آذر ۱۴۰۵", azar)):
        cells = table[month]
        assert int(cells["جلسه‌های انجام‌شده"]) == made.sessions_done
        assert int(cells["نیامده"]) == made.no_shows
        assert int(cells["پیام‌های مراقبت فرستاده‌شده"]) == made.messages_sent
        assert int(cells["پیام‌های مراقبت ناموفق"]) == made.messages_failed
        assert int(cells["یادآوری پیش از جلسه تأییدشده"]) == made.pre_care_acknowledged
        assert int(cells["هشدارها"]) == sum(made.alerts.values())
        by_kind = [int(cells[title]) for title in header if title.startswith("هشدار: ")]
        assert sum(by_kind) == int(cells["هشدارها"])  # the kinds add up to the total
        assert float(cells["میانگین رضایت (۱ تا ۵)"]) == 3.7
    assert table["آذر ۱۴۰۵"]["روز اول"] == "2026-11-22"


async def test_an_english_admin_reads_gregorian_months(tmp_path: Path, clock: FakeClock) -> None:
    clock.at = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)
    async with driving(tmp_path, clock) as bot:
        november, december = await _two_months(
            bot, MonthName(GREGORIAN, 2026, 11), MonthName(GREGORIAN, 2026, 12)
        )
        admin = bot.chat(ADMIN_ID, language_code="en")
        photo, text, document = await admin.send("/stats", expect=3)

    assert bytes(photo.params["photo"]).startswith(PNG)
    november_block, december_block, how = text_of(text).split("\n\n")
    assert november_block.splitlines()[0] == "📊 November 2026"
    assert december_block.splitlines()[0] == "📊 December 2026, so far"
    assert f"Sessions done: {december.sessions_done} · no-shows: 1" in december_block
    assert f"Care messages sent: {november.messages_sent} · failed: 1" in november_block
    assert "Pre-care sent: 6 · acknowledged (Understood): 3" in december_block
    assert "Alerts: 4 · taken: 3 · median time to take: 10 min" in december_block
    assert "Satisfaction: 3 answers · mean 3.7 out of 5 · with a comment: 1" in december_block
    assert how == CATALOG.text("en", "stats.how_counted")
    header, *rows = _table(document)
    assert [row[0] for row in rows] == ["November 2026", "December 2026"]
    assert header[header.index("alerts") + 1] == "alerts taken"
    cells = dict(zip(header, rows[1], strict=True))
    assert cells["median minutes to take: takes a blood thinner"] == "13"
    assert cells["median minutes to take: a message could not be delivered"] == ""  # none taken


async def test_a_quiet_month_says_so(desk: Driver) -> None:
    admin = desk.chat(ADMIN_ID, language_code="en")
    _photo, text, document = await admin.send("/stats", expect=3)
    assert "Alerts: none" in text_of(text)
    assert "Satisfaction: no answers" in text_of(text)
    header, *rows = _table(document)
    assert "median minutes to take an alert" in header
    assert [row[2:5] for row in rows] == [["0", "0", "0"], ["0", "0", "0"]]


_NO_MARKS = str.maketrans("", "", "\u2066\u2067\u2068\u2069\u200e\u200f")


def _fa(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def test_every_alert_kind_has_a_short_name_in_every_language() -> None:
    """A kind added later needs its stats.kind_<kind>, or /stats would show its code."""
    for lang in CATALOG.languages:
        missing = [k for k in AlertKind if not CATALOG.has(lang, f"stats.kind_{k.value}")]
        assert not missing, (lang, missing)
