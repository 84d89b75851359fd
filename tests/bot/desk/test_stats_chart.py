"""The /stats picture: a PNG drawn in memory, and matplotlib loaded only when one is drawn."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.common.staff_voice import Voice
from bot.desk.stats_chart import draw_chart
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.problems import MonthName
from care.desk.stats import AlertFigures, ClinicMonth
from tests.conftest import TEHRAN

CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
ROOT = Path(__file__).parents[3]


def _month(month: int, scale: int) -> ClinicMonth:
    return ClinicMonth(
        month=MonthName("jalali", 1405, month),
        first_day=date(2026, 10 + month - 8, 22),
        sessions_done=12 * scale,
        no_shows=2,
        messages_sent=140 * scale,
        messages_failed=1,
        pre_care_sent=20,
        pre_care_acknowledged=15,
        alerts=(AlertFigures("blood_thinner", 3, 3, 8),),
        alerts_raised=3,
        alerts_taken=3,
        median_minutes_to_take=8,
        satisfaction_answers=4,
        satisfaction_mean=4.5,
        satisfaction_comments=2,
    )


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_chart_is_a_png_of_a_size_a_phone_shows_whole(lang: str) -> None:
    picture = draw_chart((_month(8, 1), _month(9, 2)), Voice(CATALOG, lang, TEHRAN))
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", picture[16:24])  # the IHDR chunk
    assert (width, height) == (800, 700)
    assert len(picture) < 200_000


def test_an_empty_month_draws_too() -> None:
    empty = ClinicMonth(
        MonthName("gregorian", 2026, 12),
        date(2026, 12, 1),
        0,
        0,
        0,
        0,
        0,
        0,
        (),
        0,
        0,
        None,
        0,
        None,
        0,
    )
    picture = draw_chart((empty, empty), Voice(CATALOG, "en", TEHRAN))
    assert picture.startswith(b"\x89PNG")


def test_the_bot_starts_without_loading_matplotlib() -> None:
    """The application's every module is imported without matplotlib: only /stats loads it."""
    code = "import sys, bot.app, bot.runner; sys.exit('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0
