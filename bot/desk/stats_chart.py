"""/stats as a picture: last month's and this month's figures side by side, as a PNG in memory.

matplotlib (3.11 and later) lays out Persian itself (its wheels bundle libraqm: letters joined,
right to left) in the DejaVu Sans it ships, which has the Persian letters and digits, so the
picture needs no font or shaping library from the machine. It is imported here only, when
/stats runs, so the bot starts and the tests run without loading it; the drawing uses the
Figure API (not pyplot's global state) so it can run in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.common.staff_voice import Voice
from care.desk.stats import ClinicMonth

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Each panel: its title's key and the figures it shows, top to bottom. Messages sent run into
# the hundreds, the rest into the tens, so they have a panel (and a scale) of their own.
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "stats.chart_sessions",
        ("sessions_done", "no_shows", "alerts_raised", "satisfaction_answers"),
    ),
    (
        "stats.chart_messages",
        ("messages_sent", "messages_failed", "pre_care_sent", "pre_care_acknowledged"),
    ),
)
COLOURS = ("#9db4c8", "#1f5f8b")  # last month pale, this month strong
_DPI = 100


def draw_chart(months: Sequence[ClinicMonth], voice: Voice) -> bytes:
    """The PNG: a panel of horizontal bars per PANELS entry, a bar per month per figure, each
    bar's number at its end in the reader's digits. Right to left for a Persian reader: the
    bars grow leftwards and their names stand on the right."""
    from matplotlib.figure import Figure  # heavy: loaded only when /stats runs

    rtl = voice.lang == "fa"
    figure = Figure(figsize=(8, 7), dpi=_DPI, layout="constrained")
    figure.suptitle(
        voice("stats.chart_title", last=months[0].month, this=months[-1].month), fontsize=14
    )
    axes = figure.subplots(len(PANELS), 1)
    for ax, (title, names) in zip(axes, PANELS, strict=True):
        _panel(ax, voice, title, names, months, rtl=rtl)
    axes[0].legend(
        [voice.show(month.month) for month in months],
        loc="lower left" if rtl else "lower right",
        reverse=True,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _panel(
    ax: Axes,
    voice: Voice,
    title: str,
    names: tuple[str, ...],
    months: Sequence[ClinicMonth],
    *,
    rtl: bool,
) -> None:
    height = 0.8 / len(months)
    rows = range(len(names))
    largest = max((getattr(m, name) for m in months for name in names), default=0)
    for index, month in enumerate(months):
        values = [int(getattr(month, name)) for name in names]
        # The later month above the earlier one within each figure's group.
        offsets = [row - (index - (len(months) - 1) / 2) * height for row in rows]
        ax.barh(offsets, values, height=height, color=COLOURS[index % len(COLOURS)])
        for offset, value in zip(offsets, values, strict=True):
            # Past the bar's end, whichever way the bars grow.
            ax.annotate(
                voice.show(value),
                xy=(value, offset),
                xytext=(-3 if rtl else 3, 0),
                textcoords="offset points",
                ha="right" if rtl else "left",
                va="center",
            )
    ax.set_yticks(list(rows), [voice(f"stats.label_{name}") for name in names])
    ax.invert_yaxis()  # the first figure on top
    ax.set_xlim(0, max(largest, 1) * 1.15)
    ax.set_title(voice(title), loc="right" if rtl else "left")
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    if rtl:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
