"""/stats's CSV: a row per month, plain numbers, columns that add up, titles without marks."""

from __future__ import annotations

import csv
import io
from datetime import date

from care.core.problems import MonthName
from care.desk.stats import AlertFigures, ClinicMonth
from care.desk.stats_csv import LEADING, TRAILING, columns, stats_csv


def _month(month: int, alerts: tuple[AlertFigures, ...], mean: float | None) -> ClinicMonth:
    return ClinicMonth(
        month=MonthName("gregorian", 2026, month),
        first_day=date(2026, month, 1),
        sessions_done=month,
        no_shows=1,
        messages_sent=100 + month,
        messages_failed=0,
        pre_care_sent=10,
        pre_care_acknowledged=7,
        alerts=alerts,
        alerts_raised=sum(f.raised for f in alerts),
        alerts_taken=sum(f.taken for f in alerts),
        median_minutes_to_take=None if mean is None else 12,
        satisfaction_answers=0 if mean is None else 2,
        satisfaction_mean=mean,
        satisfaction_comments=0,
    )


NOVEMBER = _month(11, (AlertFigures("paused", 2, 0, None),), None)
DECEMBER = _month(
    12, (AlertFigures("blood_thinner", 3, 2, 9), AlertFigures("something_wrong", 1, 1, 4)), 4.5
)


def _rows(titles: dict[str, str] | None = None) -> list[list[str]]:
    content = stats_csv(
        (NOVEMBER, DECEMBER),
        title=lambda code: (titles or {}).get(code, code),
        month_label=lambda month: f"\u2068{month.year}-{month.month:02d}\u2069",
    )
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_column_per_figure_and_two_per_alert_kind_in_alert_kind_order() -> None:
    assert columns((NOVEMBER, DECEMBER)) == (
        *LEADING,
        "alerts_of:blood_thinner",
        "median_minutes_of:blood_thinner",
        "alerts_of:something_wrong",
        "median_minutes_of:something_wrong",
        "alerts_of:paused",
        "median_minutes_of:paused",
        *TRAILING,
    )


def test_numbers_add_up_and_a_missing_figure_is_an_empty_cell() -> None:
    header, november, december = _rows()
    cells = [dict(zip(header, row, strict=True)) for row in (november, december)]
    assert [c["month"] for c in cells] == ["2026-11", "2026-12"]  # no direction marks
    assert sum(int(c["messages_sent"]) for c in cells) == 111 + 112
    for row in cells:
        kinds = sum(int(row[code]) for code in header if code.startswith("alerts_of:"))
        assert kinds == int(row["alerts_raised"])
    assert cells[0]["alerts_of:blood_thinner"] == "0"  # raised only in December
    assert cells[0]["median_minutes_of:blood_thinner"] == ""
    assert cells[0]["median_minutes_of:paused"] == ""  # raised, never taken
    assert (cells[0]["satisfaction_mean"], cells[1]["satisfaction_mean"]) == ("", "4.5")
    assert cells[1]["first_day"] == "2026-12-01"


def test_titles_are_the_reader_s_without_direction_marks() -> None:
    header, *_ = _rows({"month": "\u200fماه", "sessions_done": "\u2068جلسه\u2069"})
    assert header[:3] == ["ماه", "first_day", "جلسه"]
