"""/stats as a CSV file: a row per month, oldest first, a column per figure.

Made for a spreadsheet: the titles are the reader's (given by the caller; stripped of direction
marks), every figure is a plain number in ASCII digits (a mean with a decimal point), no units,
no totals row, so a column adds up across months and the alert columns of one row add up to
its "alerts" cell. A figure that does not exist (the median time to take when nothing was
taken, the mean score of no answers) is an empty cell. UTF-8 with a byte-order mark, as /export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence

from care.content.bidi import FSI, LRI, LRM, PDI, RLI, RLM
from care.core.problems import MonthName
from care.desk.stats import ClinicMonth, kinds_in

# The figures every file has; the alert kinds raised in its months come after "alerts_taken".
LEADING = (
    "month",
    "first_day",
    "sessions_done",
    "no_shows",
    "messages_sent",
    "messages_failed",
    "pre_care_sent",
    "pre_care_acknowledged",
    "alerts_raised",
    "alerts_taken",
    "median_minutes_to_take",
)
TRAILING = ("satisfaction_answers", "satisfaction_mean", "satisfaction_comments")
KIND_FIGURES = ("alerts_of", "median_minutes_of")  # a column each per kind: "alerts_of:paused"
_BOM = "\ufeff"
# A chat needs direction marks around values in a text (care.content.bidi); a spreadsheet cell
# sets its own direction, and shows the marks as stray boxes in some programs.
_MARKS = str.maketrans("", "", FSI + LRI + RLI + PDI + LRM + RLM)


def columns(months: Sequence[ClinicMonth]) -> tuple[str, ...]:
    """The column codes of the file for `months`."""
    per_kind = tuple(f"{figure}:{kind}" for kind in kinds_in(months) for figure in KIND_FIGURES)
    return (*LEADING, *per_kind, *TRAILING)


def stats_csv(
    months: Sequence[ClinicMonth],
    *,
    title: Callable[[str], str],
    month_label: Callable[[MonthName], str],
) -> bytes:
    """The file; `title(code)` names each column of `columns(months)`."""
    codes = columns(months)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(code).translate(_MARKS) for code in codes])
    for month in months:
        cells = _cells(month, month_label(month.month).translate(_MARKS))
        # A kind raised only in the other month: none of it in this one, and no median.
        writer.writerow(
            [cells.get(code, "0" if code.startswith("alerts_of:") else "") for code in codes]
        )
    return (_BOM + buffer.getvalue()).encode("utf-8")


def _cells(month: ClinicMonth, label: str) -> Mapping[str, str]:
    cells = {
        "month": label,
        "first_day": month.first_day.isoformat(),
        "sessions_done": _number(month.sessions_done),
        "no_shows": _number(month.no_shows),
        "messages_sent": _number(month.messages_sent),
        "messages_failed": _number(month.messages_failed),
        "pre_care_sent": _number(month.pre_care_sent),
        "pre_care_acknowledged": _number(month.pre_care_acknowledged),
        "alerts_raised": _number(month.alerts_raised),
        "alerts_taken": _number(month.alerts_taken),
        "median_minutes_to_take": _number(month.median_minutes_to_take),
        "satisfaction_answers": _number(month.satisfaction_answers),
        "satisfaction_mean": _number(month.satisfaction_mean),
        "satisfaction_comments": _number(month.satisfaction_comments),
    }
    for figures in month.alerts:
        cells[f"alerts_of:{figures.kind}"] = _number(figures.raised)
        cells[f"median_minutes_of:{figures.kind}"] = _number(figures.median_minutes)
    return cells


def _number(value: float | None) -> str:
    return "" if value is None else str(value)
